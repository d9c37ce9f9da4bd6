package io.edgeflow.localapi.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.servlet.Servlet;

import io.edgeflow.api.status.ConfigurationProblems;
import io.edgeflow.api.status.SaasState;
import io.edgeflow.api.status.SaasStatus;
import io.edgeflow.api.status.SaasStatusProvider;
import io.edgeflow.api.status.StatusError;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultStatus;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Serves {@code GET /api/v1/saas/status}: the link to the cloud as the highest-ranked
 * {@link SaasStatusProvider} reports it. With no provider running, the SaaS configuration and the
 * {@link CredentialVault}, if one runs, decide: {@code disabled}; {@code unprovisioned} without
 * credentials; {@code provisioned} with the stored Device ID and expiry; {@code error} with the code
 * {@code credentials_unreadable} when the vault fails authentication (or {@code vault_io_error} when it
 * cannot be read). While SaaS is disabled the status stays {@code disabled}, with the vault's error
 * attached, so nothing is hidden.
 * <p>
 * A component that refused a configuration value ({@link ConfigurationProblems}) is shown as the error
 * {@code invalid_configuration} while the link itself has no error.
 */
@Component(service = Servlet.class, configurationPid = StatusServlet.SAAS_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@HttpWhiteboardServletName("io.edgeflow.localapi.status")
@HttpWhiteboardServletPattern("/api/v1/saas/status")
public final class StatusServlet extends JsonServlet {
    static final String SAAS_PID = "io.edgeflow.saas";
    private static final long serialVersionUID = 1L;

    /** The part of the SaaS configuration this servlet reads; its metatype lives in the config bundle. */
    @interface SaasSettings {
        boolean enabled() default false;

        String url() default "saas.edgx.cloud:443";
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile SaasStatusProvider provider;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile CredentialVault vault;

    /** Components that refused part of their configuration and run on other values; see {@link #compose}. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ConfigurationProblems> configurations = List.of();

    private volatile SaasSettings settings;

    /** The vault error last reported, so that {@code since} is when it was first seen. */
    private volatile StatusError lastVaultError;

    /**
     * @param settings the SaaS configuration
     */
    @Activate
    public StatusServlet(SaasSettings settings) {
        this.settings = settings;
    }

    @Modified
    void modified(SaasSettings settings) {
        this.settings = settings;
    }

    @Override
    Map<String, Handler> handlers() {
        return Map.of("GET", request -> new Reply(200, toJson(currentStatus())));
    }

    SaasStatus currentStatus() {
        return compose(linkStatus(), configurations);
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

    private SaasStatus linkStatus() {
        SaasStatusProvider current = provider;
        if (current != null) {
            return current.status();
        }
        SaasSettings config = settings;
        SaasState idle = config.enabled() ? SaasState.UNPROVISIONED : SaasState.DISABLED;
        CredentialVault currentVault = vault;
        if (currentVault == null) {
            return new SaasStatus(false, null, idle, null, null, config.url(), null, null);
        }
        VaultStatus stored;
        try {
            stored = currentVault.status();
        } catch (RuntimeException e) {
            // another vault backend may fail: the status API reports it and keeps answering
            stored = VaultStatus.unavailable("it failed (" + e.getClass().getSimpleName() + ")");
        }
        SaasState failed = config.enabled() ? SaasState.ERROR : SaasState.DISABLED;
        return switch (stored.state()) {
            case EMPTY -> noVaultError(new SaasStatus(false, null, idle, null, null, config.url(), null, null));
            case STORED -> noVaultError(new SaasStatus(false, stored.deviceId(),
                    config.enabled() ? SaasState.PROVISIONED : SaasState.DISABLED, null, null, config.url(),
                    stored.expiresAt(), null));
            case CORRUPT -> new SaasStatus(false, null, failed, null, vaultError(VaultException.CREDENTIALS_UNREADABLE,
                    "The stored device credentials cannot be read: " + stored.reason() + ". Provision the device "
                            + "again; the unreadable vault file is then moved aside, not deleted."),
                    config.url(), null, null);
            case UNAVAILABLE -> new SaasStatus(false, null, failed, null, vaultError(VaultException.VAULT_IO_ERROR,
                    "The credential vault cannot be read: " + stored.reason() + "."), config.url(), null, null);
        };
    }

    private StatusError vaultError(String code, String message) {
        StatusError last = lastVaultError;
        if (last != null && last.code().equals(code) && last.message().equals(message)) {
            return last;
        }
        StatusError error = new StatusError(code, message, Instant.now());
        lastVaultError = error;
        return error;
    }

    private SaasStatus noVaultError(SaasStatus status) {
        lastVaultError = null;
        return status;
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
