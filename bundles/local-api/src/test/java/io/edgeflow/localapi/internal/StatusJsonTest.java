package io.edgeflow.localapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import io.edgeflow.api.status.SaasState;
import io.edgeflow.api.status.SaasStatus;
import io.edgeflow.api.status.StatusError;

import org.junit.jupiter.api.Test;

class StatusJsonTest {

    @Test
    void theDocumentedOnlineExampleSerialisesAsDocumented() throws Exception {
        SaasStatus online = new SaasStatus(true, "dev_abc123xyz", SaasState.ONLINE,
                Instant.parse("2026-02-21T12:00:00.123Z"), null);
        String json = new String(Json.write(StatusServlet.toJson(online)), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json.replaceAll("\\s", "")).isEqualTo(
                "{\"connected\":true,\"device_id\":\"dev_abc123xyz\",\"status\":\"online\","
                        + "\"last_heartbeat\":\"2026-02-21T12:00:00Z\",\"error\":null,\"saas_url\":null,"
                        + "\"credentials_expire_at\":null,\"clock_skew_seconds\":null}");
    }

    @Test
    void anErrorIsAnObjectWithCodeAndMessage() {
        Map<String, Object> json = StatusServlet.toJson(new SaasStatus(false, null, SaasState.ERROR, null,
                new StatusError("credentials_unreadable", "The credential vault failed authentication.",
                        Instant.parse("2026-11-28T10:00:00Z"))));
        assertThat(json.get("status")).isEqualTo("error");
        assertThat(json.get("error")).isEqualTo(Map.of("code", "credentials_unreadable", "message",
                "The credential vault failed authentication.", "since", "2026-11-28T10:00:00Z"));
    }

    @Test
    void withoutAProviderTheConfigurationDecides() {
        assertThat(new StatusServlet(settings(false)).currentStatus().state()).isEqualTo(SaasState.DISABLED);
        StatusServlet servlet = new StatusServlet(settings(false));
        servlet.modified(settings(true));
        assertThat(servlet.currentStatus().state()).isEqualTo(SaasState.UNPROVISIONED);
        assertThat(servlet.currentStatus().saasUrl()).isEqualTo("saas.edgx.cloud:443");
    }

    private static StatusServlet.SaasSettings settings(boolean enabled) {
        return new StatusServlet.SaasSettings() {
            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public String url() {
                return "saas.edgx.cloud:443";
            }

            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return StatusServlet.SaasSettings.class;
            }
        };
    }
}
