package io.edgeflow.tunnel.internal;

import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.http.runtime.HttpServiceRuntime;
import org.osgi.service.http.runtime.HttpServiceRuntimeConstants;
import org.osgi.service.metatype.annotations.Designate;

import io.edgeflow.api.cloud.CloudEndpoint;
import io.edgeflow.api.provisioning.DeviceIdentity;
import io.edgeflow.api.tunnel.TunnelService;
import io.edgeflow.api.tunnel.TunnelState;
import io.edgeflow.api.vault.CredentialVault;

/**
 * Provides {@link TunnelService}: the tunnel to the cloud runs while a {@link CloudEndpoint} (SaaS enabled,
 * valid address) and a {@link DeviceIdentity} (provisioned) are registered. Both references are static:
 * a new cloud address, trust or proxy, new credentials, or a new configuration reactivate the component,
 * which closes the old tunnel and opens a new one; SaaS disabled deactivates it and closes the tunnel.
 */
@Component(service = TunnelService.class, immediate = true, configurationPid = TunnelComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = TunnelConfiguration.class)
public final class TunnelComponent implements TunnelService {
    static final String PID = "io.edgeflow.tunnel";

    private final TunnelClient client;
    /** Where the local API listens, from the HTTP service runtime; null while none is registered. */
    private volatile URI localApi;

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
        TunnelSettings settings = TunnelSettings.from(config);
        this.client = new TunnelClient(settings, cloud, identity.deviceId(), vault, null, Clock.systemUTC(),
                bound -> ThreadLocalRandom.current().nextLong(bound), () -> localApi);
        client.start();
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
        client.close();
    }

    @Override
    public TunnelState state() {
        return client.state();
    }
}
