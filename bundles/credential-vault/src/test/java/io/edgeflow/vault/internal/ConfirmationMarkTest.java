package io.edgeflow.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.api.provisioning.DeviceIdentity;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;

/**
 * The vault registers the DeviceIdentity from provisioning's confirmation mark: a new code's credentials, once
 * stored, replace it (until confirmed in their turn), while a registration under way keeps it.
 */
class ConfirmationMarkTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T15:52:01Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private VaultStore store() throws Exception {
        Path machineId = Files.write(dir.resolve("machine-id"), "3d1219c7c4c5404aaa1f6d2a48adfda4\n".getBytes());
        return new VaultStore(dir.resolve("vault/credentials.vault"), dir.resolve("vault/vault.key"), machineId,
                warnings::add, new SecureRandom(), CLOCK, new IdentityPublisher(null));
    }

    @Test
    void theIdentityFollowsTheMarkNotTheStoredCredentials() throws Exception {
        VaultStore store = store();
        store.store(TestCredentials.credentials());
        assertThat(store.identity()).as("stored, not confirmed yet").isNull();

        store.markConfirmed(TestCredentials.DEVICE_ID);
        DeviceIdentity identity = store.identity();
        assertThat(identity.deviceId()).isEqualTo(TestCredentials.DEVICE_ID);
        assertThat(identity.credentialsExpireAt()).isEqualTo(TestCredentials.EXPIRES_AT);
        store.markConfirmed(TestCredentials.DEVICE_ID);
        assertThat(store.identity()).as("marking again registers nothing new").isSameAs(identity);

        // a new code is being registered: the request is kept, the identity stays
        store.storePendingRequestId("3f2b6a1c-8d4e-4f7a-9b1c-2d3e4f5a6b7c");
        assertThat(store.identity()).isSameAs(identity);

        // its credentials are stored: the old identity goes, the new one waits for its confirmation
        store.store(new DeviceCredentials("dev_new", "efk_new_key_0123456789".toCharArray(), null, null));
        assertThat(store.identity()).isNull();
        store.markConfirmed("dev_new");
        assertThat(store.identity().deviceId()).isEqualTo("dev_new");

        store.withdrawConfirmation();
        assertThat(store.identity()).isNull();
        assertThat(store.status().deviceId()).as("the credentials stay").isEqualTo("dev_new");
    }

    @Test
    void onlyTheStoredCredentialsCanBeMarked() throws Exception {
        VaultStore store = store();
        VaultException empty = catchThrowableOfType(() -> store.markConfirmed("dev_x"), VaultException.class);
        assertThat(empty.code()).isEqualTo(VaultException.INVALID_CREDENTIALS);

        store.store(TestCredentials.credentials());
        VaultException other = catchThrowableOfType(() -> store.markConfirmed("dev_other"), VaultException.class);
        assertThat(other.code()).isEqualTo(VaultException.INVALID_CREDENTIALS);
        assertThat(store.identity()).isNull();

        store.markConfirmed(TestCredentials.DEVICE_ID);
        store.clear();
        assertThat(store.identity()).as("cleared credentials are no identity").isNull();
    }
}
