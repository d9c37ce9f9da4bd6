package io.edgeflow.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.vault.internal.UnreadableVaultException.Problem;

/** The plaintext inside the vault: encoding, decoding, and what is refused. */
class VaultContentsTest {

    @Test
    void fullCredentialsAndAPendingRequestRoundTrip() throws Exception {
        VaultContents decoded = VaultContents.decode(new VaultContents(TestCredentials.credentials(), "req-1").encode());

        DeviceCredentials c = decoded.credentials();
        assertThat(c.deviceId()).isEqualTo(TestCredentials.DEVICE_ID);
        assertThat(c.apiKey()).isEqualTo(TestCredentials.API_KEY.toCharArray());
        assertThat(c.expiresAt()).isEqualTo(TestCredentials.EXPIRES_AT);
        assertThat(c.saasUrl()).isEqualTo(TestCredentials.SAAS_URL);
        assertThat(decoded.pendingRequestId()).isEqualTo("req-1");
    }

    @Test
    void optionalFieldsStayAbsentAndNanosecondsSurvive() throws Exception {
        Instant expiry = Instant.parse("2030-01-01T12:34:56.123456789Z");
        String unicodeKey = "efk_äöü€\uD834\uDD1E_9f2a";
        VaultContents decoded = VaultContents.decode(
                new VaultContents(new DeviceCredentials("dev_1", unicodeKey.toCharArray(), null, null), null).encode());
        assertThat(decoded.credentials().expiresAt()).isNull();
        assertThat(decoded.credentials().saasUrl()).isNull();
        assertThat(decoded.credentials().apiKey()).isEqualTo(unicodeKey.toCharArray());
        assertThat(decoded.pendingRequestId()).isNull();

        VaultContents withExpiry = VaultContents.decode(
                new VaultContents(new DeviceCredentials("dev_1", "efk_x".toCharArray(), expiry, null), null).encode());
        assertThat(withExpiry.credentials().expiresAt()).isEqualTo(expiry);
    }

    @Test
    void aPendingRequestAloneAndNothingAtAllRoundTrip() throws Exception {
        VaultContents pendingOnly = VaultContents.decode(new VaultContents(null, "req-2").encode());
        assertThat(pendingOnly.credentials()).isNull();
        assertThat(pendingOnly.pendingRequestId()).isEqualTo("req-2");

        assertThat(VaultContents.EMPTY.encode()).isEmpty();
        assertThat(VaultContents.decode(new byte[0]).isEmpty()).isTrue();
    }

    @Test
    void unknownFieldsOfALaterRevisionAreSkipped() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new VaultContents(TestCredentials.credentials(), null).encode());
        out.write(new byte[] {42, 0, 3, 'x', 'y', 'z'});

        assertThat(VaultContents.decode(out.toByteArray()).credentials().deviceId())
                .isEqualTo(TestCredentials.DEVICE_ID);
    }

    @Test
    void brokenEncodingsAreMalformed() {
        byte[] valid = new VaultContents(TestCredentials.credentials(), null).encode();
        byte[] duplicate = new byte[valid.length * 2];
        System.arraycopy(valid, 0, duplicate, 0, valid.length);
        System.arraycopy(valid, 0, duplicate, valid.length, valid.length);
        byte[] deviceOnly = {1, 0, 5, 'd', 'e', 'v', '_', '1'};
        byte[] badUtf8Key = {1, 0, 1, 'd', 2, 0, 2, (byte) 0xC3, (byte) 0x28};
        byte[] shortExpiry = {1, 0, 1, 'd', 2, 0, 1, 'k', 3, 0, 4, 0, 0, 0, 0};

        for (byte[] broken : new byte[][] {{1, 0}, {1, 0, 9, 'a'}, duplicate, deviceOnly, badUtf8Key, shortExpiry}) {
            UnreadableVaultException e = catchThrowableOfType(() -> VaultContents.decode(broken),
                    UnreadableVaultException.class);
            assertThat(e).isNotNull();
            assertThat(e.problem()).isEqualTo(Problem.MALFORMED);
            assertThat(e.getMessage()).startsWith("the vault authenticates but its contents are malformed");
        }
    }

    @Test
    void invalidCredentialsAreRefusedWithoutShowingTheKey() {
        String secretWithControl = TestCredentials.API_KEY + "\n";
        DeviceCredentials[] invalid = {
            new DeviceCredentials(" ", TestCredentials.API_KEY.toCharArray(), null, null),
            new DeviceCredentials("dev 1", TestCredentials.API_KEY.toCharArray(), null, null),
            new DeviceCredentials("d".repeat(257), TestCredentials.API_KEY.toCharArray(), null, null),
            new DeviceCredentials("dev_1", new char[0], null, null),
            new DeviceCredentials("dev_1", "k".repeat(1025).toCharArray(), null, null),
            new DeviceCredentials("dev_1", secretWithControl.toCharArray(), null, null),
            new DeviceCredentials("dev_1", "efk_\uD800".toCharArray(), null, null),
            new DeviceCredentials("dev_1", TestCredentials.API_KEY.toCharArray(), null, "saas\n.example"),
        };
        for (DeviceCredentials credentials : invalid) {
            VaultException e = catchThrowableOfType(() -> VaultContents.validate(credentials), VaultException.class);
            assertThat(e).as(credentials.toString()).isNotNull();
            assertThat(e.code()).isEqualTo(VaultException.INVALID_CREDENTIALS);
            assertThat(e.getMessage()).doesNotContain(TestCredentials.API_KEY_MIDDLE);
        }
    }

    @Test
    void requestIdsAreChecked() throws Exception {
        VaultContents.validateRequestId("0b6f7d6e-4a57-4e0e-9a39-0e3d7c1c2f11");
        for (String bad : new String[] {null, "", "has space", "x".repeat(257), "naïve"}) {
            VaultException e = catchThrowableOfType(() -> VaultContents.validateRequestId(bad), VaultException.class);
            assertThat(e.code()).isEqualTo(VaultException.INVALID_CREDENTIALS);
        }
    }

    @Test
    void toStringShowsNeitherTheKeyNorTheRequestId() {
        String shown = new VaultContents(TestCredentials.credentials(), "req-secret-77").toString();

        assertThat(shown).contains(TestCredentials.DEVICE_ID).contains("efk_…9f2a")
                .doesNotContain(TestCredentials.API_KEY_MIDDLE).doesNotContain("req-secret-77");
    }
}
