package io.edgeflow.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultState;
import io.edgeflow.api.vault.VaultStatus;

/** A vault copied to another machine, key file and all, does not open there. */
class MachineBindingTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private Path machine(String name, String id) throws IOException {
        return Files.writeString(dir.resolve(name), id + "\n");
    }

    private VaultStore vaultIn(String device, Path machineId) {
        Path vaultDir = dir.resolve(device + "/var/lib/edgeflow/vault");
        return new VaultStore(vaultDir.resolve("credentials.vault"), vaultDir.resolve("vault.key"), machineId,
                warnings::add);
    }

    /** Copies a device's whole vault directory (vault and key file) to another device. */
    private void copyVault(String from, String to) throws IOException {
        Path source = dir.resolve(from + "/var/lib/edgeflow/vault");
        Path target = Files.createDirectories(dir.resolve(to + "/var/lib/edgeflow/vault"));
        for (String name : new String[] {"credentials.vault", "vault.key"}) {
            Files.copy(source.resolve(name), target.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    @Test
    void aVaultCopiedWithItsKeyToAnotherMachineDoesNotOpen() throws Exception {
        Path gatewayA = machine("machine-id-a", "3d1219c7c4c5404aaa1f6d2a48adfda4");
        Path gatewayB = machine("machine-id-b", "9f86d081884c7d659a2feaa0c55ad015");
        vaultIn("a", gatewayA).store(TestCredentials.credentials());

        copyVault("a", "b");
        VaultStore onB = vaultIn("b", gatewayB);

        VaultStatus status = onB.status();
        assertThat(status.state()).isEqualTo(VaultState.CORRUPT);
        assertThat(status.reason()).contains("written on another machine");
        VaultException e = catchThrowableOfType(onB::load, VaultException.class);
        assertThat(e.code()).isEqualTo(VaultException.CREDENTIALS_UNREADABLE);
        // the machine identity is confidential: it is named by its file, never shown
        assertThat(e.getMessage() + warnings).doesNotContain("3d1219c7").doesNotContain("9f86d081");
    }

    @Test
    void theSameMachineOpensACopyInAnotherDirectory() throws Exception {
        Path gateway = machine("machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4");
        vaultIn("a", gateway).store(TestCredentials.credentials());

        copyVault("a", "restored-from-backup");

        assertThat(vaultIn("restored-from-backup", gateway).load()).isPresent();
    }

    @Test
    void whiteSpaceAroundTheMachineIdentityDoesNotMatter() throws Exception {
        vaultIn("a", machine("id-newline", "3d1219c7c4c5404aaa1f6d2a48adfda4")).store(TestCredentials.credentials());

        assertThat(vaultIn("a", Files.writeString(dir.resolve("id-plain"), "  3d1219c7c4c5404aaa1f6d2a48adfda4"))
                .load()).isPresent();
    }

    @Test
    void withoutAMachineIdentityTheVaultIsBoundToTheKeyFileOnly() throws Exception {
        Path missing = dir.resolve("no-such-machine-id");
        vaultIn("a", missing).store(TestCredentials.credentials());
        assertThat(vaultIn("a", missing).load()).isPresent();
        assertThat(vaultIn("a", null).load()).isPresent();

        // once the machine has an identity, the old binding no longer holds: reported, not misread
        Path appeared = machine("machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4");
        assertThat(vaultIn("a", appeared).status().state()).isEqualTo(VaultState.CORRUPT);
    }

    @Test
    void aMachineIdentityThatCannotBeReadIsAnErrorNotAnotherMachine() throws Exception {
        Path gateway = machine("machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4");
        vaultIn("a", gateway).store(TestCredentials.credentials());
        Path unreadable = Files.createDirectories(dir.resolve("machine-id-dir"));

        VaultStatus status = vaultIn("a", unreadable).status();

        assertThat(status.state()).isEqualTo(VaultState.UNAVAILABLE);
        assertThat(status.reason()).contains("machine identity");
    }
}
