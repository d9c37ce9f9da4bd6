package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.edgeflow.cloud.CliTest.Run;

/** {@code devices rotate-key ID}, as an operator types it, against a device that rotates as the agent does. */
class CliRotateKeyTest extends RunningCloud {
    private static Run admin(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--url", cloud.url(), "--data-dir", cloud.dataDir.toString()));
        return CliTest.cli(Map.of(), all.toArray(new String[0]));
    }

    @Test
    void theDeviceRotatesItsKeyAndTheNewExpiryIsPrinted() throws Exception {
        try (RotatingDevice device = RotatingDevice.online(cloud)) {
            String before = device.key();
            Run run = admin("devices", "rotate-key", device.id);
            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.out()).startsWith("Rotated the API key of " + device.id + ": the new key is valid until 20")
                    .contains("the previous key no longer works").doesNotContain("efk_");
            assertThat(device.key()).isNotEqualTo(before);
            assertThat(cloud.call("GET", "/api/v1/devices/" + device.id, null, before).status()).isEqualTo(401);
        }
    }

    @Test
    void aDeviceThatReconnectsWithItsNewKeyBeforeAnsweringShowsAsRotated() throws Exception {
        try (RotatingDevice device = RotatingDevice.online(cloud)) {
            String before = device.key();
            device.behaviour = RotatingDevice.Behaviour.ROTATE_AND_RECONNECT;
            Run run = admin("devices", "rotate-key", device.id);
            assertThat(run.status()).as(run.out() + run.err()).isZero();
            String key = device.key();
            assertThat(run.out()).startsWith("Rotated the API key of " + device.id + ": the new key efk_\u2026"
                    + key.substring(key.length() - 4) + " is valid until 20").contains("reconnected its tunnel")
                    .doesNotContain(key).doesNotContain(before);
        }
    }

    @Test
    void theDevicesErrorIsPrintedWithExitStatus1() throws Exception {
        try (RotatingDevice device = RotatingDevice.online(cloud)) {
            device.behaviour = RotatingDevice.Behaviour.UNREACHABLE;
            Run run = admin("devices", "rotate-key", device.id);
            assertThat(run.status()).isEqualTo(1);
            assertThat(run.out()).contains("cloud_unreachable");
            assertThat(run.err()).contains("error: cloud_unreachable (HTTP 503)");
        }
    }
}
