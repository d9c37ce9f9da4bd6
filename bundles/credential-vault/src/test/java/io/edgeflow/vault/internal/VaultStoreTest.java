package io.edgeflow.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultState;
import io.edgeflow.api.vault.VaultStatus;

/** The vault as its users see it: store, load, clear, the pending request, and damaged files. */
class VaultStoreTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T15:52:01Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Path machineId;
    private Path vaultFile;
    private Path keyFile;
    private final List<String> warnings = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();

    @BeforeEach
    void machine() throws IOException {
        machineId = Files.write(dir.resolve("machine-id"), "3d1219c7c4c5404aaa1f6d2a48adfda4\n".getBytes());
        vaultFile = dir.resolve("data/vault/credentials.vault");
        keyFile = dir.resolve("data/vault/vault.key");
    }

    private VaultStore store() {
        return new VaultStore(vaultFile, keyFile, machineId, warnings::add, new SecureRandom(), CLOCK);
    }

    @Test
    void aNewVaultIsEmptyAndCreatesNothingUntilFirstUse() throws Exception {
        VaultStore store = store();

        assertThat(store.load()).isEmpty();
        assertThat(store.pendingRequestId()).isEmpty();
        assertThat(store.status()).isEqualTo(VaultStatus.empty());
        store.clear();
        store.clearPendingRequestId();
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void storedCredentialsAreReadBackByANewInstance() throws Exception {
        store().store(TestCredentials.credentials());

        Optional<DeviceCredentials> loaded = store().load();
        assertThat(loaded).isPresent();
        assertThat(loaded.get().deviceId()).isEqualTo(TestCredentials.DEVICE_ID);
        assertThat(loaded.get().apiKey()).isEqualTo(TestCredentials.API_KEY.toCharArray());
        assertThat(loaded.get().expiresAt()).isEqualTo(TestCredentials.EXPIRES_AT);
        assertThat(loaded.get().saasUrl()).isEqualTo(TestCredentials.SAAS_URL);
        assertThat(store().status()).isEqualTo(
                new VaultStatus(VaultState.STORED, TestCredentials.DEVICE_ID, TestCredentials.EXPIRES_AT, false, null));
        assertThat(keyFile).exists().hasSize(32);
        assertThat(warnings).isEmpty();
    }

    @Test
    void storingReplacesTheCredentialsAndKeepsTheKey() throws Exception {
        VaultStore store = store();
        store.store(TestCredentials.credentials());
        byte[] key = Files.readAllBytes(keyFile);

        store.store(new DeviceCredentials("dev_second", "efk_second_key_1234".toCharArray(), null, null));

        assertThat(store.load().orElseThrow().deviceId()).isEqualTo("dev_second");
        assertThat(store.load().orElseThrow().expiresAt()).isNull();
        assertThat(Files.readAllBytes(keyFile)).isEqualTo(key);
        assertThat(listing()).containsExactlyInAnyOrder("credentials.vault", "vault.key");
    }

    @Test
    void thePendingRequestAndTheCredentialsAreIndependent() throws Exception {
        VaultStore store = store();
        store.storePendingRequestId("req-0001");
        assertThat(store.status()).isEqualTo(new VaultStatus(VaultState.EMPTY, null, null, true, null));
        assertThat(store.load()).isEmpty();

        store.store(TestCredentials.credentials());
        assertThat(store().pendingRequestId()).contains("req-0001");
        assertThat(store().status()).isEqualTo(new VaultStatus(VaultState.STORED, TestCredentials.DEVICE_ID, TestCredentials.EXPIRES_AT, true, null));

        store.clearPendingRequestId();
        assertThat(store().pendingRequestId()).isEmpty();
        assertThat(store().load()).isPresent();

        store.storePendingRequestId("req-0002");
        store.storePendingRequestId("req-0003");
        assertThat(store().pendingRequestId()).contains("req-0003");
        assertThat(store().load().orElseThrow().deviceId()).isEqualTo(TestCredentials.DEVICE_ID);
    }

    @Test
    void clearRemovesCredentialsAndPendingRequestButNotTheKey() throws Exception {
        VaultStore store = store();
        store.store(TestCredentials.credentials());
        store.storePendingRequestId("req-1");

        store.clear();

        assertThat(store.load()).isEmpty();
        assertThat(store.pendingRequestId()).isEmpty();
        assertThat(vaultFile).doesNotExist();
        assertThat(keyFile).exists();

        store.storePendingRequestId("req-2");
        store.clearPendingRequestId();
        assertThat(vaultFile).doesNotExist();
    }

    @Test
    void aTamperedVaultIsReportedAsCorruptAndLeftUntouched() throws Exception {
        store().store(TestCredentials.credentials());
        byte[] tampered = Files.readAllBytes(vaultFile);
        tampered[tampered.length - 20] ^= 1;
        Files.write(vaultFile, tampered);
        VaultStore store = store();

        VaultStatus status = store.status();
        assertThat(status.state()).isEqualTo(VaultState.CORRUPT);
        assertThat(status.reason()).contains("does not authenticate").contains("altered or damaged");
        assertThat(status.deviceId()).isNull();

        VaultException e = catchThrowableOfType(store::load, VaultException.class);
        assertThat(e.code()).isEqualTo(VaultException.CREDENTIALS_UNREADABLE);
        assertThat(e.getMessage()).contains("does not authenticate").contains(vaultFile.toString())
                .contains("moved aside when new credentials are stored");
        assertThat(catchThrowableOfType(store::pendingRequestId, VaultException.class).code())
                .isEqualTo(VaultException.CREDENTIALS_UNREADABLE);
        assertThat(catchThrowableOfType(store::clearPendingRequestId, VaultException.class).code())
                .isEqualTo(VaultException.CREDENTIALS_UNREADABLE);
        messages.add(e.getMessage());
        messages.add(status.reason());

        assertThat(Files.readAllBytes(vaultFile)).isEqualTo(tampered);
        assertThat(listing()).containsExactlyInAnyOrder("credentials.vault", "vault.key");
        // one warning for the problem, not one per look
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("cannot be read").contains("altered or damaged");
        assertNoSecretIn(messages);
    }

    @Test
    void storingNewCredentialsMovesTheUnreadableVaultAside() throws Exception {
        store().store(TestCredentials.credentials());
        byte[] tampered = Files.readAllBytes(vaultFile);
        tampered[50] ^= 0x40;
        Files.write(vaultFile, tampered);

        VaultStore store = store();
        store.store(new DeviceCredentials("dev_new", "efk_new_key_0000_abcd".toCharArray(), null, null));

        Path aside = vaultFile.resolveSibling("credentials.vault.corrupt-20261128T155201Z");
        assertThat(Files.readAllBytes(aside)).isEqualTo(tampered);
        assertThat(store.load().orElseThrow().deviceId()).isEqualTo("dev_new");
        assertThat(warnings).anyMatch(w -> w.contains("moved aside to " + aside));

        // a second unreadable vault in the same second does not replace the first one aside
        byte[] again = Files.readAllBytes(vaultFile);
        again[again.length - 1] ^= 1;
        Files.write(vaultFile, again);
        store.storePendingRequestId("req-after-corruption");
        assertThat(Files.readAllBytes(aside)).isEqualTo(tampered);
        assertThat(Files.readAllBytes(aside.resolveSibling(aside.getFileName() + "-2"))).isEqualTo(again);
        assertThat(store.load()).isEmpty();
        assertThat(store.pendingRequestId()).contains("req-after-corruption");
        assertNoSecretIn(warnings);
    }

    @Test
    void clearingAnUnreadableVaultMovesItAsideInsteadOfDeletingIt() throws Exception {
        store().store(TestCredentials.credentials());
        Files.write(vaultFile, "not a vault".getBytes(StandardCharsets.US_ASCII));

        store().clear();

        assertThat(vaultFile).doesNotExist();
        assertThat(vaultFile.resolveSibling("credentials.vault.corrupt-20261128T155201Z")).hasContent("not a vault");
        assertThat(store().status()).isEqualTo(VaultStatus.empty());
    }

    @Test
    void aMissingKeyFileMakesTheVaultUnreadableUntilNewCredentialsAreStored() throws Exception {
        store().store(TestCredentials.credentials());
        Files.delete(keyFile);

        VaultStatus status = store().status();
        assertThat(status.state()).isEqualTo(VaultState.CORRUPT);
        assertThat(status.reason()).contains("key file " + keyFile + " is missing");
        assertThat(keyFile).doesNotExist(); // not silently recreated by a read

        store().store(TestCredentials.credentials());
        assertThat(keyFile).exists();
        assertThat(store().load()).isPresent();
        assertThat(vaultFile.resolveSibling("credentials.vault.corrupt-20261128T155201Z")).exists();
    }

    @Test
    void aKeyFileOfTheWrongSizeIsReportedAndMovedAsideWhenNewCredentialsAreStored() throws Exception {
        store().store(TestCredentials.credentials());
        Files.write(keyFile, new byte[16]);

        VaultStatus status = store().status();
        assertThat(status.state()).isEqualTo(VaultState.CORRUPT);
        assertThat(status.reason()).contains("holds 16 bytes, not a 32-byte key");

        store().store(TestCredentials.credentials());
        assertThat(store().load()).isPresent();
        assertThat(keyFile.resolveSibling("vault.key.invalid-20261128T155201Z")).hasSize(16);
        assertThat(keyFile).hasSize(32);
    }

    @Test
    void aVaultFromANewerAgentIsRecognisedAndKept() throws Exception {
        store().store(TestCredentials.credentials());
        byte[] future = Files.readAllBytes(vaultFile);
        future[9] = 2;
        Files.write(vaultFile, future);
        Files.delete(keyFile); // even without the key, the version is what is reported

        VaultStatus status = store().status();
        assertThat(status.state()).isEqualTo(VaultState.CORRUPT);
        assertThat(status.reason()).contains("format version 2").contains("newer EdgeFlow");
        assertThat(Files.readAllBytes(vaultFile)).isEqualTo(future);
    }

    @Test
    void aVaultTruncatedAtEveryLengthIsCorruptAndNeverLoads() throws Exception {
        store().store(TestCredentials.credentials());
        byte[] full = Files.readAllBytes(vaultFile);
        for (int length = 0; length < full.length; length++) {
            Files.write(vaultFile, java.util.Arrays.copyOf(full, length));
            VaultStore store = store();
            VaultStatus status = store.status();
            assertThat(status.state()).as("%d bytes", length).isEqualTo(VaultState.CORRUPT);
            assertThat(status.reason()).as("%d bytes", length).contains("truncated");
            assertThat(catchThrowableOfType(store::load, VaultException.class).code())
                    .isEqualTo(VaultException.CREDENTIALS_UNREADABLE);
        }
    }

    @Test
    void anIoErrorIsUnavailableNotCorruptAndNothingIsMovedAside() throws Exception {
        Files.createDirectories(vaultFile); // the vault path is a directory: reading it fails
        VaultStore store = store();

        VaultStatus status = store.status();
        assertThat(status.state()).isEqualTo(VaultState.UNAVAILABLE);
        assertThat(status.reason()).contains(vaultFile.toString());
        assertThat(catchThrowableOfType(store::load, VaultException.class).code())
                .isEqualTo(VaultException.VAULT_IO_ERROR);
        VaultException e = catchThrowableOfType(() -> store.store(TestCredentials.credentials()),
                VaultException.class);
        assertThat(e.code()).isEqualTo(VaultException.VAULT_IO_ERROR);
        assertThat(e.getMessage()).startsWith("Could not store the credentials");
        assertThat(vaultFile).isDirectory();
        assertThat(listing()).containsExactly("credentials.vault");
    }

    @Test
    void aTemporaryFileLeftByACrashIsIgnoredAndReplaced() throws Exception {
        store().store(TestCredentials.credentials());
        Path temp = vaultFile.resolveSibling("credentials.vault.tmp");
        Files.write(temp, new byte[] {1, 2, 3});

        assertThat(store().load()).isPresent();
        store().store(new DeviceCredentials("dev_2", "efk_2222_2222_2222".toCharArray(), null, null));

        assertThat(temp).doesNotExist();
        assertThat(store().load().orElseThrow().deviceId()).isEqualTo("dev_2");
    }

    @Test
    void invalidCredentialsAreRefusedAndTheVaultIsUnchanged() throws Exception {
        VaultStore store = store();
        store.store(TestCredentials.credentials());
        byte[] before = Files.readAllBytes(vaultFile);

        VaultException e = catchThrowableOfType(
                () -> store.store(new DeviceCredentials("", TestCredentials.API_KEY.toCharArray(), null, null)),
                VaultException.class);

        assertThat(e.code()).isEqualTo(VaultException.INVALID_CREDENTIALS);
        assertThat(Files.readAllBytes(vaultFile)).isEqualTo(before);
        assertThat(catchThrowableOfType(() -> store.storePendingRequestId("with space"), VaultException.class).code())
                .isEqualTo(VaultException.INVALID_CREDENTIALS);
    }

    @Test
    void theCallersCredentialsAreNotWipedByTheVault() throws Exception {
        DeviceCredentials mine = TestCredentials.credentials();
        VaultStore store = store();
        store.store(mine);
        store.storePendingRequestId("req-9");
        store.store(TestCredentials.credentials());

        assertThat(mine.apiKey()).isEqualTo(TestCredentials.API_KEY.toCharArray());
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(vaultFile.getParent())) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static void assertNoSecretIn(List<String> texts) {
        for (String text : texts) {
            assertThat(text).doesNotContain(TestCredentials.API_KEY_MIDDLE).doesNotContain(TestCredentials.API_KEY);
        }
    }
}
