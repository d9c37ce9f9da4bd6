package io.edgeflow.tunnel.internal;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.http.runtime.HttpServiceRuntime;
import org.osgi.service.http.runtime.HttpServiceRuntimeConstants;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeflow.api.cloud.CloudEndpoint;
import io.edgeflow.api.provisioning.DeviceIdentity;
import io.edgeflow.api.status.ConfigurationProblems;
import io.edgeflow.api.status.StatusError;
import io.edgeflow.api.tunnel.RelayCredential;
import io.edgeflow.api.tunnel.TunnelService;
import io.edgeflow.api.tunnel.TunnelState;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.refusedvalues.RefusedValues;

/**
 * Provides {@link TunnelService}: the tunnel to the cloud runs while a {@link CloudEndpoint} (SaaS enabled,
 * valid address) and a {@link DeviceIdentity} (provisioned) are registered. Both references are static:
 * a new cloud address, trust or proxy, or new credentials reactivate the component, which closes the old
 * tunnel and opens a new one; SaaS disabled deactivates it and closes the tunnel. A new configuration
 * replaces the tunnel with one on the new settings.
 * <p>
 * A configured value out of its range does not stop the tunnel: it keeps the last good value of that
 * property (the default when it starts), and says so through {@link ConfigurationProblems}, which the status
 * API shows as {@code invalid_configuration}.
 * <p>
 * Also provides {@link RelayCredential}: the requests it relays from the cloud to the local API carry a secret made
 * at each activation ({@link RelaySecret}), which the local API's caller check asks this service about. So the cloud
 * reaches the endpoints that need the local API token without ever holding it, and the local API knows these
 * requests for the cloud's.
 */
@Component(service = {TunnelService.class, ConfigurationProblems.class, RelayCredential.class}, immediate = true,
        configurationPid = TunnelComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = TunnelConfiguration.class)
public final class TunnelComponent implements TunnelService, ConfigurationProblems, RelayCredential {
    static final String PID = "io.edgeflow.tunnel";
    private static final Logger LOG = LoggerFactory.getLogger(TunnelComponent.class);

    private final CloudEndpoint cloud;
    private final DeviceIdentity identity;
    private final CredentialVault vault;
    private final Clock clock;
    /** Replaced, under this object's lock, when a new configuration changes the settings. */
    private volatile TunnelClient client;
    private volatile TunnelSettings settings;
    private volatile List<StatusError> problems = List.of();
    private boolean deactivated;
    /** Where the local API listens, from the HTTP service runtime; null while none is registered. */
    private volatile URI localApi;
    /** The credential of relayed requests, new at each activation; never logged. */
    private final RelaySecret relaySecret = RelaySecret.generate(new SecureRandom());
    private final LoopbackTarget loopback = new LoopbackTarget() {
        @Override
        public URI address() {
            return localApi;
        }

        @Override
        public String authorization() {
            return relaySecret.authorization();
        }
    };

    /**
     * Opens the tunnel.
     *
     * @param config the configuration
     * @param cloud the cloud, with the agent's TLS and proxy rules
     * @param identity the provisioned device
     * @param vault where the API key is read at each connection
     */
    @Activate
    public TunnelComponent(TunnelConfiguration config, @Reference CloudEndpoint cloud,
            @Reference DeviceIdentity identity, @Reference CredentialVault vault) {
        this(config, cloud, identity, vault, Clock.systemUTC());
    }

    TunnelComponent(TunnelConfiguration config, CloudEndpoint cloud, DeviceIdentity identity, CredentialVault vault,
            Clock clock) {
        this.cloud = cloud;
        this.identity = identity;
        this.vault = vault;
        this.clock = clock;
        TunnelSettings.Checked checked = TunnelSettings.check(config, TunnelSettings.DEFAULTS);
        this.settings = checked.settings();
        this.problems = report(checked.problems());
        this.client = newClient(settings);
        client.start();
    }

    /**
     * A new configuration: the values in range take effect (the tunnel reconnects if any changed), a value out
     * of range keeps the last good one and is reported.
     *
     * @param config the new configuration
     */
    @Modified
    void modified(TunnelConfiguration config) {
        TunnelClient old;
        TunnelClient fresh;
        synchronized (this) {
            if (deactivated) {
                return;
            }
            TunnelSettings.Checked checked = TunnelSettings.check(config, settings);
            problems = report(checked.problems());
            if (checked.settings().equals(settings)) {
                return;
            }
            settings = checked.settings();
            old = client;
            fresh = newClient(settings);
            client = fresh;
        }
        // the old tunnel closes before the new one opens, as at a reactivation: never two of one device at once
        // (a deactivation meanwhile closes the new client, whose start is then a no-op)
        old.close();
        fresh.start();
    }

    private TunnelClient newClient(TunnelSettings s) {
        return new TunnelClient(s, cloud, identity.deviceId(), vault, null, clock,
                bound -> ThreadLocalRandom.current().nextLong(bound), loopback);
    }

    /** The problems as errors; one that was already reported keeps its time, a new one is logged once. */
    private List<StatusError> report(List<String> found) {
        return RefusedValues.asErrors(PID, found, problems, clock.instant(), m -> LOG.warn("Configuration {}", m));
    }

    /** @return the settings the tunnel runs with */
    TunnelSettings settings() {
        return settings;
    }

    @Override
    public List<StatusError> problems() {
        return problems;
    }

    @Reference(service = HttpServiceRuntime.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindHttpServiceRuntime(Map<String, Object> properties) {
        localApi = LoopbackLocalApi.address(properties.get(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT));
    }

    void updatedHttpServiceRuntime(Map<String, Object> properties) {
        bindHttpServiceRuntime(properties);
    }

    void unbindHttpServiceRuntime(Map<String, Object> properties) {
        URI gone = LoopbackLocalApi.address(properties.get(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT));
        if (gone == null || gone.equals(localApi)) {
            localApi = null;
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            deactivated = true;
        }
        client.close();
    }

    @Override
    public boolean matches(String presented) {
        return relaySecret.matches(presented);
    }

    @Override
    public TunnelState state() {
        return client.state();
    }
}
