package io.edgeflow.localapi.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.servlet.Servlet;

import io.edgeflow.api.provisioning.ProvisioningService;
import io.edgeflow.api.provisioning.ProvisioningState;
import io.edgeflow.api.status.ConfigurationProblems;
import io.edgeflow.api.status.SaasStatus;
import io.edgeflow.api.status.StatusError;
import io.edgeflow.api.tunnel.TunnelService;
import io.edgeflow.api.tunnel.TunnelState;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.VaultStatus;
import io.edgeflow.http.json.JsonServlet;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Serves {@code GET /api/v1/saas/status}: the link to the cloud, composed ({@link LinkStatus}) from what
 * provisioning, the credential vault and the tunnel each publish about themselves. Any of them may be missing
 * (a bundle being updated): without provisioning the vault and the tunnel decide, without a vault the status is
 * the error {@code vault_io_error}.
 * <p>
 * A component that refused a configuration value ({@link ConfigurationProblems}) is shown as the error
 * {@code invalid_configuration} while the link itself has no error.
 */
@Component(service = Servlet.class, configurationPid = LocalApiConfiguration.HTTP_PID)
@HttpWhiteboardServletName("io.edgeflow.localapi.status")
@HttpWhiteboardServletPattern("/api/v1/saas/status")
public final class StatusServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ProvisioningService provisioning;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile CredentialVault vault;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile TunnelService tunnel;

    /** Components that refused part of their configuration and run on other values; see {@link #compose}. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ConfigurationProblems> configurations = List.of();

    private final transient LinkStatus link = new LinkStatus(Clock.systemUTC());

    @Override
    protected Map<String, Handler> handlers() {
        return Map.of("GET", request -> new Reply(200, toJson(currentStatus())));
    }

    SaasStatus currentStatus() {
        return compose(link.compose(provisioningState(), vaultStatus(), tunnelState()), configurations);
    }

    /**
     * The link's status with a refused configuration value as its error when the link has none: the link's own
     * error (the cloud cannot be reached, the key was rejected) says more about why the device is offline, and
     * the configuration problem shows once that is solved. The state stays the link's.
     */
    static SaasStatus compose(SaasStatus link, List<ConfigurationProblems> configurations) {
        if (link.error() != null) {
            return link;
        }
        for (ConfigurationProblems component : configurations) {
            List<StatusError> problems;
            try {
                problems = component.problems();
            } catch (RuntimeException e) {
                continue; // a failing component does not take the status API down
            }
            if (problems != null && !problems.isEmpty()) {
                return new SaasStatus(link.connected(), link.deviceId(), link.state(), link.lastHeartbeat(),
                        problems.get(0), link.saasUrl(), link.credentialsExpireAt(), link.clockSkewSeconds());
            }
        }
        return link;
    }

    private ProvisioningState provisioningState() {
        return stateOf(provisioning, ProvisioningService::state);
    }

    private VaultStatus vaultStatus() {
        CredentialVault current = vault;
        if (current == null) {
            return null;
        }
        try {
            return current.status();
        } catch (RuntimeException e) {
            // another vault backend may fail: the status API reports it and keeps answering
            return VaultStatus.unavailable("it failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private TunnelState tunnelState() {
        return stateOf(tunnel, TunnelService::state);
    }

    /** The state a service reports, or null without one: a failing bundle does not take the status API down. */
    private static <S, T> T stateOf(S service, java.util.function.Function<S, T> state) {
        try {
            return service == null ? null : state.apply(service);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The JSON shape of the product documentation ({@code connected}, {@code device_id}, {@code status},
     * {@code last_heartbeat}), then {@code error}, {@code saas_url}, {@code credentials_expire_at} and
     * {@code clock_skew_seconds}.
     */
    static Map<String, Object> toJson(SaasStatus status) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("connected", status.connected());
        json.put("device_id", status.deviceId());
        json.put("status", status.state().wireName());
        json.put("last_heartbeat", timestamp(status.lastHeartbeat()));
        StatusError error = status.error();
        if (error == null) {
            json.put("error", null);
        } else {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("code", error.code());
            e.put("message", error.message());
            e.put("since", timestamp(error.since()));
            json.put("error", e);
        }
        json.put("saas_url", status.saasUrl());
        json.put("credentials_expire_at", timestamp(status.credentialsExpireAt()));
        json.put("clock_skew_seconds", status.clockSkewSeconds());
        return json;
    }

    private static String timestamp(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
