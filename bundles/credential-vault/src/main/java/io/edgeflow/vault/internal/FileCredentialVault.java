package io.edgeflow.vault.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DataDirectory;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultStatus;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.propertytypes.ServiceDescription;
import org.osgi.service.component.propertytypes.ServiceRanking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provides the {@link CredentialVault} as an AES-256-GCM encrypted file in the data directory, bound to
 * this machine. Ranked, so another backend can replace it by configuration.
 * <p>
 * Configured by {@code io.edgeflow.vault} ({@link VaultConfiguration} designates itself); the data directory comes from
 * {@link AgentDataDirectory} (the PID {@code io.edgeflow.agent}), never as a second PID of this component (see there).
 * While provisioning marks the stored credentials as confirmed, it registers their {@code DeviceIdentity} (see
 * {@link IdentityPublisher}).
 */
@Component(service = CredentialVault.class, configurationPid = FileCredentialVault.VAULT_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@ServiceRanking(FileCredentialVault.DEFAULT_RANKING)
@ServiceDescription("EdgeFlow credential vault: AES-256-GCM file bound to this machine")
public final class FileCredentialVault implements CredentialVault {
    /** The agent-wide configuration, which holds {@code data_dir}. */
    static final String AGENT_PID = "io.edgeflow.agent";
    /** This component's configuration. */
    static final String VAULT_PID = "io.edgeflow.vault";
    /** The ranking of the file vault; a hardware-backed vault registers higher. */
    static final int DEFAULT_RANKING = 0;
    /** Framework property the launcher sets to the data directory it chose. */
    static final String DATA_DIR_PROPERTY = "edgeflow.data.dir";
    static final String DEFAULT_DATA_DIR = DataDirectory.DEFAULT_PATH;

    private static final Logger LOG = LoggerFactory.getLogger(FileCredentialVault.class);

    private final VaultStore store;

    /**
     * @param config this component's configuration
     * @param dataDirectory {@code data_dir} of the agent configuration
     * @param context this bundle's context, for the data directory the launcher chose
     */
    @Activate
    public FileCredentialVault(VaultConfiguration config, @Reference AgentDataDirectory dataDirectory,
            BundleContext context) {
        Settings settings = Settings.of(config, dataDirectory.configured(), context.getProperty(DATA_DIR_PROPERTY));
        this.store = new VaultStore(settings.vaultFile(), settings.keyFile(), settings.machineIdFile(),
                message -> LOG.warn("{}", message), new IdentityPublisher(context));
        VaultStatus status = store.status();
        LOG.info("Credential vault {} ({}; key file {}; {})", settings.vaultFile(), describe(status),
                settings.keyFile(), MachineIdentity.describe(settings.machineIdFile()));
    }

    @Override
    public Optional<DeviceCredentials> load() throws VaultException {
        return store.load();
    }

    @Override
    public void store(DeviceCredentials credentials) throws VaultException {
        store.store(credentials);
        LOG.info("Credential vault: stored the credentials of {}", credentials.deviceId());
    }

    @Override
    public void clear() throws VaultException {
        store.clear();
        LOG.info("Credential vault: credentials cleared");
    }

    @Override
    public Optional<String> pendingRequestId() throws VaultException {
        return store.pendingRequestId();
    }

    @Override
    public void storePendingRequestId(String requestId) throws VaultException {
        store.storePendingRequestId(requestId);
        LOG.debug("Credential vault: registration request kept until it is confirmed");
    }

    @Override
    public void clearPendingRequestId() throws VaultException {
        store.clearPendingRequestId();
        LOG.debug("Credential vault: pending registration request forgotten");
    }

    @Override
    public void markConfirmed(String deviceId) throws VaultException {
        if (store.identity() == null || !deviceId.equals(store.identity().deviceId())) {
            store.markConfirmed(deviceId);
            LOG.info("Credential vault: the credentials of {} are confirmed; its DeviceIdentity is registered",
                    deviceId);
        }
    }

    @Override
    public void withdrawConfirmation() {
        if (store.identity() != null) {
            LOG.info("Credential vault: the DeviceIdentity of {} is withdrawn", store.identity().deviceId());
        }
        store.withdrawConfirmation();
    }

    /** Unregisters the identity with the component. */
    @Deactivate
    void deactivate() {
        store.withdrawConfirmation();
    }

    @Override
    public VaultStatus status() {
        return store.status();
    }

    @Override
    public String toString() {
        return "FileCredentialVault[" + store.vaultFile() + "]";
    }

    private static String describe(VaultStatus status) {
        return switch (status.state()) {
            case STORED -> "holds the credentials of " + status.deviceId();
            case EMPTY -> status.pendingRequest() ? "no credentials, a registration is pending" : "no credentials";
            case CORRUPT, UNAVAILABLE -> status.state().wireName() + ": " + status.reason();
        };
    }

    /**
     * The configuration, checked: every path absolute.
     *
     * @param vaultFile the encrypted file
     * @param keyFile the key file
     * @param machineIdFile the machine identity file, or null for no machine binding
     */
    record Settings(Path vaultFile, Path keyFile, Path machineIdFile) {

        /**
         * @param config the vault configuration
         * @param dataDir {@code data_dir} of the agent configuration, or null
         * @param launcherDataDir the data directory the launcher chose, or null
         * @return the settings
         * @throws IllegalArgumentException naming the property that is wrong
         */
        static Settings of(VaultConfiguration config, Object dataDir, String launcherDataDir) {
            String dir = dataDir != null ? String.valueOf(dataDir).strip() : null;
            String dirProperty = "data_dir";
            if (dir == null || dir.isEmpty()) {
                dir = launcherDataDir != null && !launcherDataDir.isBlank() ? launcherDataDir.strip()
                        : DEFAULT_DATA_DIR;
                dirProperty = DATA_DIR_PROPERTY;
            }
            Path vaultDirectory = absolute(dir, dirProperty).resolve("vault");
            String key = config.key__file() == null ? "" : config.key__file().strip();
            Path keyFile = key.isEmpty() ? vaultDirectory.resolve(VaultStore.KEY_FILE_NAME)
                    : absolute(key, "key_file");
            String machine = config.machine__id__file() == null ? "" : config.machine__id__file().strip();
            Path machineIdFile = machine.isEmpty() ? null : absolute(machine, "machine_id_file");
            return new Settings(vaultDirectory.resolve(VaultStore.VAULT_FILE_NAME), keyFile, machineIdFile);
        }

        private static Path absolute(String value, String property) {
            try {
                Path path = Path.of(value);
                if (path.isAbsolute()) {
                    return path.normalize();
                }
            } catch (InvalidPathException e) {
                // reported below
            }
            throw new IllegalArgumentException(
                    "Credential vault: " + property + " must be an absolute path, got '" + value + "'");
        }
    }
}
