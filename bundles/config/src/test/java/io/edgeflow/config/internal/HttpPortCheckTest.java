package io.edgeflow.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

class HttpPortCheckTest {
    @Test
    void aPortInUseIsNamedAFreeOneIsNot() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(HttpPortCheck.inUse("127.0.0.1", taken.getLocalPort()))
                    .isEqualTo("the port is in use by another program");
        }
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            free = probe.getLocalPort();
        }
        assertThat(HttpPortCheck.inUse("127.0.0.1", free)).isNull();
    }
}
