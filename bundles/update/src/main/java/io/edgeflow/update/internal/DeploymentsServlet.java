package io.edgeflow.update.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServletRequest;

import io.edgeflow.api.tunnel.RelayCredential;
import io.edgeflow.http.json.ApiError;
import io.edgeflow.http.json.Caller;
import io.edgeflow.http.json.CallerCheck;
import io.edgeflow.http.json.JsonServlet;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code POST /api/v1/deployments} (the cloud's deployments, through the tunnel), {@code GET
 * /api/v1/deployments} and {@code GET /api/v1/deployments/{id}} (UPDATES-CONTRACT.md). Every method follows the
 * local API's caller rule ({@link CallerCheck}: loopback, or the API token), like {@code POST /api/v1/saas/provision}.
 * <p>
 * Configured by the local API's PID ({@code io.edgeflow.localapi}: the API token, and the whiteboard target the config
 * bundle sets); its metatype comes from the local API bundle.
 */
@Component(service = Servlet.class, configurationPid = DeploymentsServlet.LOCAL_API_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@HttpWhiteboardServletName("io.edgeflow.update.deployments")
@HttpWhiteboardServletPattern({"/api/v1/deployments", "/api/v1/deployments/*"})
public final class DeploymentsServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentsServlet.class);
    static final String LOCAL_API_PID = "io.edgeflow.localapi";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_\\-]{1,100}");

    /** The one property of the local API's configuration this servlet reads: the API token (private). */
    @interface LocalApiSettings {
        String _api__token() default "";
    }

    private final transient Deployments deployments;
    private transient volatile CallerCheck callers;
    /** The tunnel's credential for the requests it relays from the cloud; null while the tunnel does not run. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    transient volatile RelayCredential relay;

    /**
     * @param settings the local API's settings (the API token)
     * @param deployments the deployment engine
     */
    @Activate
    public DeploymentsServlet(LocalApiSettings settings, @Reference Deployments deployments) {
        this(new CallerCheck(settings._api__token()), deployments);
    }

    DeploymentsServlet(CallerCheck callers, Deployments deployments) {
        this.callers = callers;
        this.deployments = deployments;
    }

    @Modified
    void modified(LocalApiSettings settings) {
        this.callers = new CallerCheck(settings._api__token());
    }

    @Override
    protected Map<String, Handler> handlers() {
        return Map.of("GET", this::get, "POST", this::post);
    }

    private Reply get(HttpServletRequest request) throws ApiError {
        callers.check(request, relay);
        String id = id(request);
        if (id == null) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("deployments", deployments.list());
            return new Reply(200, body);
        }
        return deployments.get(id).map(r -> new Reply(200, r)).orElseThrow(() -> new ApiError(404, "not_found",
                "No deployment " + printable(id) + " on this device."));
    }

    private Reply post(HttpServletRequest request) throws ApiError, IOException {
        Caller caller = callers.check(request, relay);
        if (id(request) != null) {
            throw new ApiError(405, "method_not_allowed", "POST a deployment to /api/v1/deployments.");
        }
        Deployments.Answer answer = deployments.accept(readJsonObject(request));
        LOG.info("Deployment posted by {}: answered {}", caller.description(), answer.status());
        return new Reply(answer.status(), answer.body());
    }

    /** @return the id in {@code /api/v1/deployments/{id}}, or null for the list */
    private static String id(HttpServletRequest request) throws ApiError {
        String path = request.getPathInfo();
        if (path == null || path.equals("/") || path.isEmpty()) {
            return null;
        }
        String id = path.substring(1);
        if (!ID.matcher(id).matches()) {
            throw new ApiError(404, "not_found", "No deployment " + printable(id) + " on this device.");
        }
        return id;
    }
}
