package io.edgeflow.vault.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the file credential vault ({@code io.edgeflow.vault}). The data directory comes
 * from the agent configuration ({@code io.edgeflow.agent}, {@code data_dir}).
 */
// id = the PID: Eclipse Kura reads a PID's metatype only from OSGI-INF/metatype/<pid>.xml, OCD id = PID (docs/kura.md)
@ObjectClassDefinition(id = FileCredentialVault.VAULT_PID, pid = FileCredentialVault.VAULT_PID,
        name = "EdgeFlow credential vault (file)",
        description = "Keeps the device credentials in <data directory>/vault/credentials.vault, encrypted with "
                + "AES-256-GCM under a key derived from a key file and this machine's identity.")
@interface VaultConfiguration {
    @AttributeDefinition(name = "Key file",
            description = "Absolute path of the 256-bit key file, created on first use with mode 0600 in a "
                    + "directory with mode 0700, for example /etc/edgeflow/vault.key. Empty: "
                    + "<data directory>/vault/vault.key. Environment variable EDGEFLOW_VAULT_KEY_FILE. Changing it "
                    + "makes an existing vault unreadable unless the key file is moved along.")
    String key__file() default "";

    @AttributeDefinition(name = "Machine identity file",
            description = "The file whose contents identify this machine; the vault key is bound to it, so the "
                    + "vault does not open on another machine. Where the file does not exist, the vault is bound "
                    + "to the key file only. Empty: no machine binding.")
    String machine__id__file() default MachineIdentity.DEFAULT_FILE;

    @AttributeDefinition(name = "Service ranking",
            description = "Ranking of this vault among CredentialVault services. Another backend (a hardware "
                    + "token) with a higher ranking replaces it.")
    int service_ranking() default FileCredentialVault.DEFAULT_RANKING;
}
