package io.edgeflow.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may read the key and the vault: only the agent's own user. */
class PermissionsTest {
    @TempDir
    Path dir;

    private Path vaultFile;
    private Path keyFile;
    private final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void paths() {
        vaultFile = dir.resolve("data/vault/credentials.vault");
        keyFile = dir.resolve("data/vault/vault.key");
    }

    private VaultStore store(Path key) {
        return new VaultStore(vaultFile, key, null, warnings::add);
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void theKeyAndTheVaultAreCreatedForTheOwnerOnly() throws Exception {
        store(keyFile).store(TestCredentials.credentials());

        assertThat(mode(keyFile)).isEqualTo("rw-------");
        assertThat(mode(vaultFile)).isEqualTo("rw-------");
        assertThat(mode(vaultFile.getParent())).isEqualTo("rwx------");
        assertThat(Files.readAllBytes(keyFile)).hasSize(32);
        assertThat(warnings).isEmpty();
    }

    @Test
    void aKeyFileElsewhereGetsItsOwnPrivateDirectories() throws Exception {
        Path etcKey = dir.resolve("etc/edgeflow/keys/vault.key");

        store(etcKey).store(TestCredentials.credentials());

        assertThat(mode(etcKey)).isEqualTo("rw-------");
        assertThat(mode(etcKey.getParent())).isEqualTo("rwx------");
        assertThat(mode(etcKey.getParent().getParent())).isEqualTo("rwx------");
        assertThat(keyFile).doesNotExist();
        assertThat(store(etcKey).load()).isPresent();
    }

    @Test
    void aKeyFileReadableByGroupOrOthersIsTightenedWithAWarning() throws Exception {
        store(keyFile).store(TestCredentials.credentials());
        for (String loose : new String[] {"rw-r--r--", "rw-r-----", "rw----r--", "rw-rw-rw-"}) {
            warnings.clear();
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString(loose));

            assertThat(store(keyFile).load()).isPresent();

            assertThat(mode(keyFile)).isEqualTo("rw-------");
            assertThat(warnings).singleElement().asString().contains(keyFile.toString()).contains(loose)
                    .contains("tightened to rw-------");
        }
    }

    @Test
    void aVaultDirectoryOpenToOthersIsTightenedWhenWritten() throws Exception {
        Files.createDirectories(vaultFile.getParent());
        Files.setPosixFilePermissions(vaultFile.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));

        store(keyFile).store(TestCredentials.credentials());

        assertThat(mode(vaultFile.getParent())).isEqualTo("rwx------");
        assertThat(warnings).anyMatch(w -> w.contains("Vault directory") && w.contains("rwxr-xr-x"));
    }

    @Test
    void aSharedKeyDirectoryThatOthersCanWriteIsReportedNotChanged() throws Exception {
        Path shared = Files.createDirectories(dir.resolve("etc/edgeflow"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));

        store(shared.resolve("vault.key")).store(TestCredentials.credentials());

        assertThat(mode(shared)).isEqualTo("rwxrwxr-x");
        assertThat(mode(shared.resolve("vault.key"))).isEqualTo("rw-------");
        assertThat(warnings).anyMatch(w -> w.contains(shared.toString()) && w.contains("could replace the key file"));
    }

    @Test
    void everyRewriteKeepsTheVaultPrivate() throws Exception {
        VaultStore store = store(keyFile);
        store.store(TestCredentials.credentials());
        Files.setPosixFilePermissions(vaultFile, PosixFilePermissions.fromString("rw-rw-rw-"));

        store.storePendingRequestId("req-1");

        assertThat(mode(vaultFile)).isEqualTo("rw-------"); // a new file replaced the old one
    }
}
