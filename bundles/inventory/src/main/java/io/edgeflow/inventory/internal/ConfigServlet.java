package io.edgeflow.inventory.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServletRequest;

import io.edgeflow.api.tunnel.RelayCredential;
import io.edgeflow.http.json.ApiError;
import io.edgeflow.http.json.Caller;
import io.edgeflow.http.json.CallerCheck;
import io.edgeflow.http.json.JsonServlet;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
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
import org.osgi.service.metatype.MetaTypeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves EdgeFlow's configuration: {@code GET /api/v1/config} (every {@code io.edgeflow.*} PID with its metatype and
 * current values, secrets only as set or not), {@code GET /api/v1/config/{pid}} (one of them) and
 * {@code PUT /api/v1/config/{pid}} (a JSON object of properties, checked against the metatype and applied all at
 * once, or not at all). Callers on this machine (and the cloud, through the tunnel) only, unless an API token is
 * configured ({@link CallerCheck}).
 */
@Component(service = Servlet.class, configurationPid = InventoryApiConfiguration.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@HttpWhiteboardServletName("io.edgeflow.inventory.config")
@HttpWhiteboardServletPattern({"/api/v1/config", "/api/v1/config/*"})
public final class ConfigServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConfigServlet.class);

    private final transient EdgeFlowConfigurations configurations;
    private volatile CallerCheck callers;
    /** The tunnel's credential for the requests it relays from the cloud; null while the tunnel does not run. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    transient volatile RelayCredential relay;

    /**
     * @param context this bundle's context, to find the metatype of every bundle
     * @param admin Config Admin
     * @param metatype the metatype service
     * @param config the local API's settings (the API token)
     */
    @Activate
    public ConfigServlet(BundleContext context, @Reference ConfigurationAdmin admin,
            @Reference MetaTypeService metatype, InventoryApiConfiguration config) {
        this(new EdgeFlowConfigurations(admin, metatype, context::getBundles), new CallerCheck(config._api__token()));
    }

    ConfigServlet(EdgeFlowConfigurations configurations, CallerCheck callers) {
        this.configurations = configurations;
        this.callers = callers;
    }

    @Modified
    void modified(InventoryApiConfiguration config) {
        this.callers = new CallerCheck(config._api__token());
    }

    @Override
    protected Map<String, Handler> handlers() {
        return Map.of("GET", this::get, "PUT", this::put);
    }

    private Reply get(HttpServletRequest request) throws ApiError, IOException {
        callers.check(request, relay);
        String pid = pidOf(request);
        if (pid == null) {
            List<Map<String, Object>> all = configurations.all();
            return new Reply(200, Map.of("configurations", all));
        }
        Map<String, Object> view = configurations.one(pid);
        if (view == null) {
            throw unknown(pid);
        }
        return new Reply(200, view);
    }

    private Reply put(HttpServletRequest request) throws ApiError, IOException {
        Caller caller = callers.check(request, relay);
        String pid = pidOf(request);
        if (pid == null) {
            throw new ApiError(405, "method_not_allowed", "PUT a JSON object of properties to /api/v1/config/{pid}.");
        }
        if (configurations.one(pid) == null) {
            throw unknown(pid);
        }
        Map<String, Object> changes = readJsonObject(request);
        EdgeFlowConfigurations.Update update;
        try {
            update = configurations.update(pid, changes);
        } catch (InvalidValueException e) {
            // the caller's mistake: one line without the value (messages never hold a secret's value anyway)
            LOG.warn("Configuration {} not changed through the local API: {} (property '{}')", pid, e.code(),
                    printable(e.property()));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", e.code());
            body.put("message", e.getMessage());
            body.put("property", e.property());
            return new Reply(400, body);
        }
        if (update == null) {
            throw unknown(pid);
        }
        if (update.changed()) {
            // names only: a value may be a secret
            LOG.info("Configuration {} changed through the local API by {}: {}", pid, caller.description(),
                    changes.keySet());
        }
        Map<String, Object> body = new LinkedHashMap<>(update.view());
        body.put("changed", update.changed());
        return new Reply(200, body);
    }

    /** @return the PID after {@code /api/v1/config/}, or null for {@code /api/v1/config} itself */
    private static String pidOf(HttpServletRequest request) throws ApiError {
        String path = request.getPathInfo();
        if (path == null || path.isEmpty() || "/".equals(path)) {
            return null;
        }
        String pid = path.substring(1);
        if (!EdgeFlowConfigurations.isEdgeFlowPid(pid)) {
            throw unknown(pid);
        }
        return pid;
    }

    private static ApiError unknown(String pid) {
        return new ApiError(404, "not_found", "No EdgeFlow configuration " + printable(pid)
                + " (an io.edgeflow.* PID that a bundle's metatype describes or that Config Admin holds); "
                + "see GET /api/v1/config.");
    }
}
