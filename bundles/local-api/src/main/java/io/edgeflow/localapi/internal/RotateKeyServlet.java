package io.edgeflow.localapi.internal;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServletRequest;

import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.provisioning.ProvisioningService;
import io.edgeflow.api.provisioning.RotatedKey;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code POST /api/v1/saas/rotate-key}: rotates the device's API key now and answers 200 {@code {"device_id",
 * "expires_at", "confirmed": true}}, or 202 with {@code "confirmed": false} and {@code previous_key_valid_until}
 * when the new key is in use but its confirmation is still being retried. The key itself is never shown. Callers
 * as for {@code POST /api/v1/saas/provision}: on this machine, with the API token if one is configured, or the
 * cloud through the tunnel ({@link CallerCheck}). Configured by the same PID as {@link ProvisionServlet}, which
 * designates its metatype (a PID has one designation).
 */
@Component(service = Servlet.class, configurationPid = LocalApiConfiguration.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@HttpWhiteboardServletName("io.edgeflow.localapi.rotate-key")
@HttpWhiteboardServletPattern("/api/v1/saas/rotate-key")
public final class RotateKeyServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RotateKeyServlet.class);

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
    public RotateKeyServlet(LocalApiConfiguration config) {
        this.callers = new CallerCheck(config._api__token());
    }

    RotateKeyServlet(CallerCheck callers, ProvisioningService provisioning, RelayCredential relay) {
        this.callers = callers;
        this.provisioning = provisioning;
        this.relay = relay;
    }

    @Modified
    void modified(LocalApiConfiguration config) {
        this.callers = new CallerCheck(config._api__token());
    }

    @Override
    protected Map<String, Handler> handlers() {
        return Map.of("POST", this::rotate);
    }

    private Reply rotate(HttpServletRequest request) throws ApiError, IOException {
        Caller caller = callers.check(request, relay);
        readOptionalBody(request);
        ProvisioningService service = provisioning;
        if (service == null) {
            throw new ApiError(503, "provisioning_unavailable", "The provisioning bundle is not running.");
        }
        LOG.info("Key rotation requested through the local API by {}", caller.description());
        RotatedKey rotated;
        try {
            rotated = service.rotateKey();
        } catch (ProvisioningException e) {
            long retryAfter = e.retryAfter().map(d -> d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0)).orElse(-1L);
            throw new ApiError(statusOf(e), e.code(), e.getMessage(), retryAfter);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("device_id", rotated.deviceId());
        json.put("expires_at", time(rotated.expiresAt()));
        json.put("confirmed", rotated.confirmed());
        if (!rotated.confirmed()) {
            json.put("previous_key_valid_until", time(rotated.previousKeyValidUntil()));
            json.put("message", "The new key is stored and in use; the cloud has not confirmed it yet, the agent "
                    + "keeps trying.");
        }
        return new Reply(rotated.confirmed() ? 200 : 202, json);
    }

    /**
     * The endpoint takes no fields: no body (curl -X POST sends no Content-Length at all), or a JSON object such as
     * {@code {}}, which the cloud's dashboard sends.
     */
    private static void readOptionalBody(HttpServletRequest request) throws ApiError, IOException {
        if (request.getContentLengthLong() > MAX_BODY_BYTES) {
            readJsonObject(request); // 413, as every endpoint
        }
        byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > 0) {
            String type = request.getContentType();
            if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
                throw new ApiError(415, "unsupported_media_type", "Send the body as application/json.");
            }
            parseJsonObject(new java.io.ByteArrayInputStream(body));
        }
    }

    private static String time(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * The HTTP status for a failed rotation: 409 for what the device's state forbids or the cloud refused for good,
     * 429 when the cloud asks to wait, 503 when the cloud or the vault cannot be reached now (the reason in the
     * message), 504 for a cloud that did not answer in time.
     */
    static int statusOf(ProvisioningException e) {
        return switch (e.code()) {
            case "rate_limited" -> 429;
            case "cloud_timeout" -> 504;
            case "not_provisioned", "provisioning_in_progress", "saas_disabled" -> 409;
            default -> e.permanent() ? 409 : 503;
        };
    }
}
