package io.edgeflow.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.edgeflow.vault.internal.FileCredentialVault.Settings;

/** Where the component puts the vault, from its configuration. */
class SettingsTest {

    private static VaultConfiguration config(String keyFile, String machineIdFile) {
        return new VaultConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return VaultConfiguration.class;
            }

            @Override
            public String key__file() {
                return keyFile;
            }

            @Override
            public String machine__id__file() {
                return machineIdFile;
            }

            @Override
            public int service_ranking() {
                return 0;
            }
        };
    }

    @Test
    void defaultsPutKeyAndVaultInTheDataDirectory() {
        Settings s = Settings.of(config("", "/etc/machine-id"), null, null);

        assertThat(s.vaultFile()).isEqualTo(Path.of("/var/lib/edgeflow/vault/credentials.vault"));
        assertThat(s.keyFile()).isEqualTo(Path.of("/var/lib/edgeflow/vault/vault.key"));
        assertThat(s.machineIdFile()).isEqualTo(Path.of("/etc/machine-id"));
    }

    @Test
    void theAgentsDataDirWinsOverTheLaunchersWhichWinsOverTheDefault() {
        assertThat(Settings.of(config("", ""), "/srv/edgeflow", "/opt/launcher").vaultFile())
                .isEqualTo(Path.of("/srv/edgeflow/vault/credentials.vault"));
        assertThat(Settings.of(config("", ""), null, "/opt/launcher").vaultFile())
                .isEqualTo(Path.of("/opt/launcher/vault/credentials.vault"));
        assertThat(Settings.of(config("", ""), " ", " ").vaultFile())
                .isEqualTo(Path.of("/var/lib/edgeflow/vault/credentials.vault"));
    }

    @Test
    void aConfiguredKeyFileAndNoMachineBinding() {
        Settings s = Settings.of(config(" /etc/edgeflow/vault.key ", ""), "/srv/edgeflow", null);

        assertThat(s.keyFile()).isEqualTo(Path.of("/etc/edgeflow/vault.key"));
        assertThat(s.vaultFile()).isEqualTo(Path.of("/srv/edgeflow/vault/credentials.vault"));
        assertThat(s.machineIdFile()).isNull();
    }

    @Test
    void relativePathsFailActivationNamingTheProperty() {
        assertThatThrownBy(() -> Settings.of(config("vault.key", ""), null, null))
                .hasMessageContaining("key_file must be an absolute path").hasMessageContaining("'vault.key'");
        assertThatThrownBy(() -> Settings.of(config("", "machine-id"), null, null))
                .hasMessageContaining("machine_id_file must be an absolute path");
        assertThatThrownBy(() -> Settings.of(config("", ""), "data", null))
                .hasMessageContaining("data_dir must be an absolute path");
    }
}
