package io.edgeflow.localapi.internal;

import java.io.IOException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServletRequest;

import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.provisioning.ProvisioningService;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.tunnel.RelayCredential;
import io.edgeflow.http.json.ApiError;
import io.edgeflow.http.json.Caller;
import io.edgeflow.http.json.CallerCheck;
import io.edgeflow.http.json.JsonServlet;

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
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code POST /api/v1/saas/provision} {@code {"provisioning_code": "PROV-A1B2-C3D4"}}: provisions the
 * device now and answers 201 {@code {"device_id", "api_key", "expires_at"}}, the only time the API key is
 * shown. Callers on this machine only, unless an API token is configured ({@link CallerCheck}).
 */
@Component(service = Servlet.class, configurationPid = LocalApiConfiguration.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = LocalApiConfiguration.class)
@HttpWhiteboardServletName("io.edgeflow.localapi.provision")
@HttpWhiteboardServletPattern("/api/v1/saas/provision")
public final class ProvisionServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ProvisionServlet.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ProvisioningService provisioning;

    private volatile CallerCheck callers;
    /** The tunnel's credential for the requests it relays from the cloud; null while the tunnel does not run. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    transient volatile RelayCredential relay;

    /**
     * @param config the local API settings (the API token)
     */
    @Activate
    public ProvisionServlet(LocalApiConfiguration config) {
        this.callers = new CallerCheck(config._api__token());
    }

    ProvisionServlet(CallerCheck callers, ProvisioningService provisioning) {
        this.callers = callers;
        this.provisioning = provisioning;
    }

    @Modified
    void modified(LocalApiConfiguration config) {
        this.callers = new CallerCheck(config._api__token());
    }

    @Override
    protected Map<String, Handler> handlers() {
        return Map.of("POST", this::provision);
    }

    private Reply provision(HttpServletRequest request) throws ApiError, IOException {
        Caller caller = callers.check(request, relay);
        Map<String, Object> body = readJsonObject(request);
        Object code = body.get("provisioning_code");
        if (!(code instanceof String text) || text.isBlank()) {
            throw new ApiError(400, "invalid_request", "Field 'provisioning_code': required, a string such as "
                    + "PROV-A1B2-C3D4.");
        }
        ProvisioningService service = provisioning;
        if (service == null) {
            throw new ApiError(503, "provisioning_unavailable", "The provisioning bundle is not running.");
        }
        LOG.info("Provisioning requested through the local API by {}", caller.description());
        DeviceCredentials credentials;
        try {
            credentials = service.provision(text);
        } catch (ProvisioningException e) {
            // the cloud's Retry-After, rounded up to whole seconds, goes on to the caller
            long retryAfter = e.retryAfter().map(d -> d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0)).orElse(-1L);
            throw new ApiError(statusOf(e.code()), e.code(), e.getMessage(), retryAfter);
        }
        try {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("device_id", credentials.deviceId());
            char[] key = credentials.apiKey();
            try {
                json.put("api_key", new String(key)); // shown this once, as the documentation says
            } finally {
                java.util.Arrays.fill(key, '\0');
            }
            json.put("expires_at", credentials.expiresAt() == null ? null
                    : credentials.expiresAt().truncatedTo(ChronoUnit.SECONDS).toString());
            return new Reply(201, json);
        } finally {
            credentials.destroy();
        }
    }

    /** The HTTP status for an error code of the provisioning service: the cloud's where it gave one. */
    static int statusOf(String code) {
        return switch (code) {
            case "code_malformed", "invalid_code" -> 400;
            case "code_invalid" -> 404;
            case "code_expired", "code_consumed", "code_revoked" -> 410;
            case "code_in_use", "provisioning_in_progress", "saas_disabled", "saas_url_invalid", "ca_file_invalid",
                    "proxy_invalid" -> 409;
            case "rate_limited" -> 429;
            case "cloud_timeout" -> 504;
            case "vault_io_error", "credentials_unreadable", "provisioning_unavailable" -> 503;
            default -> 502; // the cloud could not be reached, or answered in a way that is not the caller's fault
        };
    }
}
