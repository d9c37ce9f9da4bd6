package io.edgeflow.tunnel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProtocolTest {
    @Test
    void theLocalApiIsAllowed() {
        assertThat(Protocol.allowedPath("/api/v1/device/facts")).isTrue();
        assertThat(Protocol.allowedPath("/api/v1/saas/status")).isTrue();
        assertThat(Protocol.allowedPath("/api/v1/slow?ms=10&x=%20y")).isTrue();
        assertThat(Protocol.allowedPath("/api/v1/items/a%20b")).isTrue();
    }

    @Test
    void nothingElseIs() {
        for (String path : new String[] {null, "", "/", "/api/v2/x", "/api/v1", "api/v1/x", "/system/console",
            "/api/v1/../system/console", "/api/v1/./x", "/api/v1/x/..", "/api/v1/%2e%2e/x", "/api/v1/%2E./x",
            "/api/v1/a%2fb", "/api/v1/a%5cb", "/api/v1/a\\b", "/api/v1//x", "/api/v1/x y", "/api/v1/x\r\nHost: y",
            "/api/v1/x#frag", "/api/v1/\u00e9", "/api/v1/a%00", "/api/v1/" + "x".repeat(3000)}) {
            assertThat(Protocol.allowedPath(path)).as(String.valueOf(path)).isFalse();
        }
    }
}
