package io.edgeflow.tunnel.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class TunnelSettingsTest {
    /** The defaults of the metatype, as DS hands them over when nothing is configured. */
    static class Defaults implements TunnelConfiguration {
        int heartbeat = 30;
        int base = 1000;
        int cap = 300;
        int rejected = 600;
        int body = 1024 * 1024;

        @Override
        public Class<? extends Annotation> annotationType() {
            return TunnelConfiguration.class;
        }

        @Override
        public int heartbeat__interval__seconds() {
            return heartbeat;
        }

        @Override
        public int backoff__base__ms() {
            return base;
        }

        @Override
        public int backoff__cap__seconds() {
            return cap;
        }

        @Override
        public int rejected__retry__seconds() {
            return rejected;
        }

        @Override
        public int connect__timeout__seconds() {
            return 15;
        }

        @Override
        public int request__timeout__seconds() {
            return 30;
        }

        @Override
        public int max__body__bytes() {
            return body;
        }

        @Override
        public int max__concurrent__requests() {
            return 4;
        }
    }

    @Test
    void theDefaultsAreThoseOfTheIssue() {
        TunnelSettings s = TunnelSettings.from(new Defaults());
        assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.backoffBase()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.backoffCap()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.maxFrameChars()).isGreaterThan(s.maxBodyBytes() * 4L / 3);
    }

    @Test
    void aBadValueNamesItsProperty() {
        Defaults d = new Defaults();
        d.heartbeat = 0;
        assertThatThrownBy(() -> TunnelSettings.from(d)).hasMessageContaining("heartbeat_interval_seconds");
        Defaults e = new Defaults();
        e.rejected = 1;
        assertThatThrownBy(() -> TunnelSettings.from(e)).hasMessageContaining("rejected_retry_seconds");
        Defaults f = new Defaults();
        f.body = 10;
        assertThatThrownBy(() -> TunnelSettings.from(f)).hasMessageContaining("max_body_bytes");
        Defaults g = new Defaults();
        g.base = 600_000;
        g.cap = 60;
        assertThatThrownBy(() -> TunnelSettings.from(g)).hasMessageContaining("backoff_base_ms");
    }
}
