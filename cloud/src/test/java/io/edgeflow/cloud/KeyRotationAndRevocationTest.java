package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.edgeflow.cloud.TestCloud.Answer;

/** Key lifetime, rotation with an overlap window, and revocation. */
class KeyRotationAndRevocationTest extends RunningCloud {
    private static Answer rotate(String deviceId, String key) throws Exception {
        return cloud.call("POST", "/api/v1/devices/" + deviceId + "/rotate-key", null, key);
    }

    private static int check(String deviceId, String key) throws Exception {
        return cloud.call("GET", "/api/v1/devices/" + deviceId, null, key).status();
    }

    @Test
    void theOldKeyWorksThroughTheOverlapWindowThenStops() throws Exception {
        Answer device = cloud.provisionDevice();
        String id = device.text("device_id");
        String oldKey = device.text("api_key");

        Answer rotated = rotate(id, oldKey);
        assertThat(rotated.status()).isEqualTo(200);
        String newKey = rotated.text("api_key");
        assertThat(newKey).startsWith("efk_").isNotEqualTo(oldKey);
        assertThat(rotated.text("device_id")).isEqualTo(id);
        Instant overlapEnd = Instant.parse(rotated.text("previous_key_valid_until"));
        assertThat(overlapEnd).isEqualTo(cloud.clock.instant().plus(Duration.ofHours(24)));

        assertThat(check(id, oldKey)).isEqualTo(200);
        assertThat(check(id, newKey)).isEqualTo(200);
        cloud.clock.advance(Duration.ofHours(23));
        assertThat(check(id, oldKey)).as("within the overlap").isEqualTo(200);
        cloud.clock.advance(Duration.ofHours(1));
        assertThat(check(id, oldKey)).as("after the overlap").isEqualTo(401);
        assertThat(check(id, newKey)).as("the new key works even unconfirmed").isEqualTo(200);
        assertThat(cloud.confirm(id, newKey).status()).isEqualTo(200);
    }

    @Test
    void confirmingTheNewKeyEndsTheOldOneAtOnce() throws Exception {
        Answer device = cloud.provisionDevice();
        String id = device.text("device_id");
        Answer rotated = rotate(id, device.text("api_key"));
        Answer confirmed = cloud.confirm(id, rotated.text("api_key"));
        assertThat(confirmed.status()).isEqualTo(200);
        assertThat(confirmed.text("expires_at")).isEqualTo(rotated.text("expires_at"));
        Answer old = cloud.call("GET", "/api/v1/devices/" + id, null, device.text("api_key"));
        assertThat(old.status()).isEqualTo(401);
        assertThat(old.error()).isEqualTo("invalid_credentials");
        assertThat(check(id, rotated.text("api_key"))).isEqualTo(200);
        assertThat(cloud.admin("GET", "/api/v1/admin/devices/" + id, null).text("key_expires_at"))
                .isEqualTo(rotated.text("expires_at"));
    }

    @Test
    void aRetriedRotationVoidsTheUnconfirmedKeyOfTheFirstAndDoesNotExtendTheOverlap() throws Exception {
        Answer device = cloud.provisionDevice();
        String id = device.text("device_id");
        Answer lost = rotate(id, device.text("api_key")); // the answer never reached the device
        cloud.clock.advance(Duration.ofHours(1));
        Answer retry = rotate(id, device.text("api_key"));
        assertThat(retry.status()).isEqualTo(200);
        assertThat(check(id, lost.text("api_key"))).isEqualTo(401);
        assertThat(retry.text("previous_key_valid_until")).isEqualTo(lost.text("previous_key_valid_until"));
        assertThat(cloud.confirm(id, retry.text("api_key")).status()).isEqualTo(200);
    }

    @Test
    void rotationNeedsAConfirmedDeviceAndAValidKey() throws Exception {
        Answer pending = cloud.register(cloud.createCode());
        Answer early = rotate(pending.text("device_id"), pending.text("api_key"));
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.error()).isEqualTo("not_confirmed");

        Answer device = cloud.provisionDevice();
        Answer wrong = rotate(device.text("device_id"), "efk_" + "1".repeat(52));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.error()).isEqualTo("invalid_credentials");
        assertThat(rotate(device.text("device_id"), null).status()).isEqualTo(401);
    }

    @Test
    void keysExpireAfterTheirLifetime() throws Exception {
        Answer device = cloud.provisionDevice();
        String id = device.text("device_id");
        cloud.clock.advance(Duration.ofDays(365).minusSeconds(1));
        assertThat(check(id, device.text("api_key"))).isEqualTo(200);
        cloud.clock.advance(Duration.ofSeconds(1));
        Answer expired = cloud.call("GET", "/api/v1/devices/" + id, null, device.text("api_key"));
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.text("message")).contains("expired");
    }

    @Test
    void aRevokedDevicesKeyStopsWorkingAtOnce() throws Exception {
        Answer device = cloud.provisionDevice();
        String id = device.text("device_id");
        Answer revoked = cloud.admin("DELETE", "/api/v1/admin/devices/" + id, null);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.text("status")).isEqualTo("revoked");
        assertThat(revoked.text("revoked_at")).isNotNull();

        Answer refused = cloud.call("GET", "/api/v1/devices/" + id, null, device.text("api_key"));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.error()).isEqualTo("invalid_credentials");
        assertThat(refused.text("message")).contains("revoked");
        assertThat(cloud.confirm(id, device.text("api_key")).status()).isEqualTo(401);
        assertThat(rotate(id, device.text("api_key")).status()).isEqualTo(401);
        // idempotent, and unknown devices are 404
        assertThat(cloud.admin("DELETE", "/api/v1/admin/devices/" + id, null).status()).isEqualTo(200);
        Answer missing = cloud.admin("DELETE", "/api/v1/admin/devices/dev_nosuchdevice", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.error()).isEqualTo("not_found");
    }

    @Test
    void revokingAPendingDeviceReleasesItsCode() throws Exception {
        String code = cloud.createCode();
        Answer pending = cloud.register(code);
        cloud.admin("DELETE", "/api/v1/admin/devices/" + pending.text("device_id"), null);
        assertThat(cloud.confirm(pending.text("device_id"), pending.text("api_key")).status()).isEqualTo(401);
        Answer next = cloud.register(code);
        assertThat(next.status()).isEqualTo(201);
        assertThat(next.text("device_id")).isNotEqualTo(pending.text("device_id"));
    }
}
