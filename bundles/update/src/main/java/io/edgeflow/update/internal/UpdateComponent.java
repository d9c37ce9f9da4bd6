package io.edgeflow.update.internal;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.edgeflow.api.cloud.CloudEndpoint;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DataDirectory;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provides {@link Deployments}: runs the cloud's deployments (docs/updates-device.md). Holds no reference to the
 * services it uses (the cloud endpoint, the vault, the tunnel, the component runtime): it looks them up when it needs
 * them, so a deployment that replaces their bundles does not stop it midway.
 * <p>
 * Configured by {@code io.edgeflow.update} ({@link UpdateConfiguration} designates itself); the data directory comes from
 * {@link AgentDataDirectory} (the PID {@code io.edgeflow.agent}), never as a second PID of this component (see there).
 */
@Component(service = Deployments.class, immediate = true, configurationPid = UpdateComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class UpdateComponent implements Deployments {
    static final String PID = "io.edgeflow.update";
    static final String AGENT_PID = "io.edgeflow.agent";
    /** Framework property the launcher sets to the data directory it chose (as the vault reads it). */
    static final String DATA_DIR_PROPERTY = "edgeflow.data.dir";
    private static final Logger LOG = LoggerFactory.getLogger(UpdateComponent.class);

    private final ExecutorService engineThread;
    private final ScheduledExecutorService reportThread;
    private final DeploymentEngine engine;
    private final int defaultHealthTimeout;

    /**
     * @param config this component's configuration
     * @param dataDirectory the agent's data directory
     * @param context the framework
     */
    @Activate
    public UpdateComponent(UpdateConfiguration config, @Reference AgentDataDirectory dataDirectory,
            BundleContext context) {
        TrustedKeys keys = TrustedKeys.parse(config.trusted__keys());
        if (config.max__artifact__bytes() < 1024) {
            throw new IllegalArgumentException("max_artifact_bytes must be at least 1024, got "
                    + config.max__artifact__bytes());
        }
        int timeout = config.health__timeout__seconds();
        if (timeout < 1 || timeout > DeploymentRequest.MAX_HEALTH_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("health_timeout_seconds must be from 1 to "
                    + DeploymentRequest.MAX_HEALTH_TIMEOUT_SECONDS + ", got " + timeout);
        }
        this.defaultHealthTimeout = timeout;
        Path updates = dataDirectory.path().resolve("updates");
        this.engineThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "edgeflow-update"));
        this.reportThread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "edgeflow-update-report"));
        Cloud cloud = new CloudLink(() -> service(context, CloudEndpoint.class),
                () -> service(context, CredentialVault.class));
        this.engine = new DeploymentEngine(new Journal(updates, DeploymentEngine.warnings()),
                new FrameworkBundles(context), new FrameworkHealth(context), cloud, keys,
                config.max__artifact__bytes(), Clock.systemUTC(), engineThread,
                d -> Thread.sleep(d.toMillis()));
        engine.reportTo(new StatusReporter(cloud, reportThread, engine::reported));
        if (keys.isEmpty()) {
            LOG.info("Remote updates disabled: no trusted publisher key (io.edgeflow.update trusted_keys, "
                    + "EDGEFLOW_UPDATE_TRUSTED_KEYS); journal in {}", updates);
        } else {
            LOG.info("Remote updates enabled: trusted publisher keys {}; journal in {}", keys.ids(), updates);
        }
        engine.recover();
    }

    @Deactivate
    void deactivate() {
        engineThread.shutdownNow();
        reportThread.shutdownNow();
        if (!Thread.currentThread().getName().startsWith("edgeflow-update")) {
            try {
                engineThread.awaitTermination(10, TimeUnit.SECONDS);
                reportThread.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public Answer accept(Map<String, Object> body) {
        DeploymentRequest request;
        try {
            request = DeploymentRequest.fromJson(body, defaultHealthTimeout);
        } catch (IllegalArgumentException e) {
            return Answer.error(400, "invalid_deployment", e.getMessage());
        }
        DeploymentEngine.Acceptance acceptance;
        try {
            acceptance = engine.accept(request);
        } catch (IOException e) {
            LOG.error("Deployment {} refused: the journal cannot be written: {}", request.id(), e.getMessage());
            return Answer.error(503, "storage_error", "The deployment journal cannot be written; see the agent log.");
        }
        return answer(acceptance);
    }

    /** @return the contract's answer to an acceptance: 202, 200, 409 or 403 */
    static Answer answer(DeploymentEngine.Acceptance acceptance) {
        return switch (acceptance.outcome()) {
            case ACCEPTED -> new Answer(202, Map.of("id", acceptance.record().id(), "state", acceptance.record()
                    .state().wireName()));
            case KNOWN -> new Answer(200, acceptance.record().toPublicJson());
            case IN_PROGRESS -> Answer.error(409, "deployment_in_progress", "Deployment " + acceptance.running()
                    + " is running; try again when it has ended.");
            case DISABLED -> Answer.error(403, "updates_disabled", "Remote updates are disabled on this device: no "
                    + "trusted publisher key is configured (io.edgeflow.update trusted_keys, "
                    + "EDGEFLOW_UPDATE_TRUSTED_KEYS).");
        };
    }

    @Override
    public List<Map<String, Object>> list() {
        return engine.records().stream().map(DeploymentRecord::toPublicJson).toList();
    }

    @Override
    public Optional<Map<String, Object>> get(String id) {
        return engine.record(id).map(DeploymentRecord::toPublicJson);
    }

    static Path dataDir(String configured, String launcher) {
        String dir = configured != null && !configured.isBlank() ? configured.strip()
                : launcher != null && !launcher.isBlank() ? launcher.strip() : DataDirectory.DEFAULT_PATH;
        try {
            Path path = Path.of(dir);
            if (path.isAbsolute()) {
                return path.normalize();
            }
        } catch (InvalidPathException e) {
            // reported below
        }
        throw new IllegalArgumentException("data_dir must be an absolute path, got '" + dir + "'");
    }

    private static <S> Optional<S> service(BundleContext context, Class<S> type) {
        try {
            ServiceReference<S> ref = context.getServiceReference(type);
            // the framework counts the use; a service used now and then needs no release for a lookup this short
            S service = ref == null ? null : context.getService(ref);
            if (service != null) {
                context.ungetService(ref);
            }
            return Optional.ofNullable(service);
        } catch (IllegalStateException e) {
            return Optional.empty(); // this bundle is stopping
        }
    }
}
