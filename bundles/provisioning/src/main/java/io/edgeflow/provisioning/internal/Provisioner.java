package io.edgeflow.provisioning.internal;

import java.io.File;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Predicate;

import io.edgeflow.api.cloud.CloudEndpoint;
import io.edgeflow.api.cloud.CloudLinkProblem;
import io.edgeflow.api.facts.HardwareFactsService;
import io.edgeflow.api.facts.NetworkFactsService;
import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.provisioning.ProvisioningService;
import io.edgeflow.api.provisioning.ProvisioningState;
import io.edgeflow.api.status.ConfigurationProblems;
import io.edgeflow.api.status.StatusError;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.refusedvalues.RefusedValues;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.propertytypes.ServiceDescription;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions the device (a code from the configuration or the local API, or pre-provisioned credentials),
 * reports its own state ({@link ProvisioningService#state()}: nothing of the tunnel, which reports its own) and
 * marks the credentials in the vault as confirmed, from which the vault registers the {@code DeviceIdentity}.
 * The cloud is reached through the {@link CloudEndpoint} of the cloud endpoint bundle, whose refusal of the link's
 * settings ({@link CloudLinkProblem}) becomes this state's error. The state machine itself is
 * {@link ProvisioningEngine}.
 */
@Component(service = {ProvisioningService.class, ConfigurationProblems.class},
        immediate = true,
        configurationPid = SaasConfiguration.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SaasConfiguration.class)
@ServiceDescription("EdgeFlow provisioning: one-time code, pre-provisioned credentials, provisioning state")
public final class Provisioner implements ProvisioningService, ConfigurationProblems {
    private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);
    private static final String USED_CODES_FILE = "used-provisioning-codes";

    private final ProvisioningEngine engine;
    private final Clock clock = Clock.systemUTC();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile HardwareFactsService hardwareFacts;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile NetworkFactsService networkFacts;

    private volatile CloudEndpoint endpoint;
    private volatile CloudLinkProblem linkProblem;
    /** The configuration last given, read again when the link's problem changes; guarded by this. */
    private SaasConfiguration config;
    private volatile boolean active;
    private volatile List<StatusError> problems = List.of();

    /**
     * @param config the SaaS configuration
     * @param context this bundle's context: the data area
     * @param vault where the credentials live, and the mark that they are confirmed
     * @param configAdmin to remove a used code and an adopted API key from the configuration
     */
    @Activate
    public Provisioner(SaasConfiguration config, BundleContext context,
            @Reference(policyOption = ReferencePolicyOption.GREEDY) CredentialVault vault,
            @Reference ConfigurationAdmin configAdmin) {
        this.config = config;
        File usedCodes = context.getDataFile(USED_CODES_FILE);
        ScheduledThreadPoolExecutor worker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "edgeflow-provisioning");
            t.setDaemon(true);
            return t;
        });
        worker.setRemoveOnCancelPolicy(true);
        SecureRandom random = new SecureRandom();
        SaasSettings settings = SaasSettings.of(config, problemOf(linkProblem));
        this.problems = report(settings.refusedValues());
        this.engine = new ProvisioningEngine(settings, vault, this::cloudApi,
                () -> DeviceFacts.hardware(hardwareFacts), () -> DeviceFacts.network(networkFacts),
                (property, onlyIf) -> remove(configAdmin, property, onlyIf),
                new UsedCodes(usedCodes == null ? null : usedCodes.toPath()), new IdentityPublisher(vault), clock,
                bound -> bound <= 0 ? 0 : (long) (random.nextDouble() * (bound + 1)), worker);
        LOG.debug("Provisioning configured: {}", settings);
    }

    /**
     * Starts the state machine once Declarative Services has bound the optional services too (after the
     * constructor): a first registration then reports the facts, if their bundles run.
     */
    @Activate
    void start() {
        active = true;
        reread(); // the link's problem, bound after the constructor
        engine.kick();
    }

    @Modified
    void modified(SaasConfiguration next) {
        synchronized (this) {
            config = next;
        }
        reread();
    }

    /** The settings again, from the configuration last given and the link's problem as published now. */
    private synchronized void reread() {
        SaasSettings settings = SaasSettings.of(config, problemOf(linkProblem));
        problems = report(settings.refusedValues());
        engine.update(settings);
    }

    private static StatusError problemOf(CloudLinkProblem problem) {
        return problem == null ? null : problem.error();
    }

    /** The refused values as errors; one already reported keeps its time, a new one is logged once. */
    private List<StatusError> report(List<String> refused) {
        return RefusedValues.asErrors(SaasConfiguration.PID, refused, problems, clock.instant(),
                m -> LOG.warn("Configuration {}", m));
    }

    @Override
    public List<StatusError> problems() {
        return problems;
    }

    @Deactivate
    void deactivate() {
        engine.close();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindEndpoint(CloudEndpoint bound) {
        this.endpoint = bound;
        if (active) {
            engine.endpointChanged();
        }
    }

    void unbindEndpoint(CloudEndpoint unbound) {
        if (this.endpoint == unbound) {
            this.endpoint = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLinkProblem(CloudLinkProblem bound) {
        this.linkProblem = bound;
        if (active) {
            reread();
        }
    }

    void unbindLinkProblem(CloudLinkProblem unbound) {
        if (this.linkProblem == unbound) {
            this.linkProblem = null;
            if (active) {
                reread();
            }
        }
    }

    /** The cloud for these settings, or null while the endpoint for their address is not registered. */
    private CloudApi cloudApi(SaasSettings settings) {
        CloudEndpoint current = endpoint;
        if (current == null || settings.problem() != null || !current.displayUrl().equals(settings.displayUrl())) {
            return null;
        }
        return new HttpCloudApi(current, settings.requestTimeout(), clock, engine::clockSkew);
    }

    private static void remove(ConfigurationAdmin admin, String property, Predicate<Object> onlyIf) throws IOException {
        Configuration configuration = admin.getConfiguration(SaasConfiguration.PID, "?");
        Dictionary<String, Object> properties = configuration.getProperties();
        if (properties == null) {
            return;
        }
        Object value = properties.get(property);
        if (value == null || !onlyIf.test(value)) {
            return;
        }
        Hashtable<String, Object> copy = new Hashtable<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            if (!key.equals(property)) {
                copy.put(key, properties.get(key));
            }
        }
        configuration.update(copy);
        LOG.info("Removed {} from the configuration {}", property, SaasConfiguration.PID);
    }

    @Override
    public ProvisioningState state() {
        return engine.state();
    }

    @Override
    public DeviceCredentials provision(String provisioningCode) throws ProvisioningException {
        ProvisioningCode code = ProvisioningCode.parse(provisioningCode).orElseThrow(() -> new ProvisioningException(
                ProvisioningEngine.CODE_MALFORMED, "The provisioning code "
                        + ProvisioningCode.maskText(provisioningCode) + " is not of the shape PROV-XXXX-XXXX.", true));
        return engine.provision(code);
    }

    @Override
    public io.edgeflow.api.provisioning.RotatedKey rotateKey() throws ProvisioningException {
        return engine.rotateKey();
    }
}
