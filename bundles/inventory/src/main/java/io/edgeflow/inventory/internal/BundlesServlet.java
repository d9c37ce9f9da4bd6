package io.edgeflow.inventory.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServletRequest;

import io.edgeflow.bundlecontent.BundleContent;
import io.edgeflow.http.json.ApiError;
import io.edgeflow.http.json.CallerCheck;
import io.edgeflow.http.json.JsonServlet;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Serves {@code GET /api/v1/bundles}: every installed bundle with its id, symbolic name, version, state, the SHA-256
 * of its content ({@link BundleDigests}), start level, whether it is EdgeFlow's, and its location. Callers on this
 * machine (and the cloud, through the tunnel) only, unless an API token is configured ({@link CallerCheck}).
 */
@Component(service = Servlet.class, configurationPid = InventoryApiConfiguration.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@HttpWhiteboardServletName("io.edgeflow.inventory.bundles")
@HttpWhiteboardServletPattern("/api/v1/bundles")
public final class BundlesServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    private final transient BundleContext context;
    private final transient BundleDigests digests;
    private volatile CallerCheck callers;

    /**
     * @param context this bundle's context, to list the bundles
     * @param config the local API's settings (the API token)
     */
    @Activate
    public BundlesServlet(BundleContext context, InventoryApiConfiguration config) {
        this.context = context;
        this.callers = new CallerCheck(config._api__token());
        this.digests = new BundleDigests(storage(context), path(context.getProperty("edgeflow.data.dir"), null));
    }

    @Modified
    void modified(InventoryApiConfiguration config) {
        this.callers = new CallerCheck(config._api__token());
    }

    @Override
    protected Map<String, Handler> handlers() {
        return Map.of("GET", this::list);
    }

    private Reply list(HttpServletRequest request) throws ApiError {
        callers.check(request);
        Bundle[] bundles = context.getBundles();
        Arrays.sort(bundles, Comparator.comparingLong(Bundle::getBundleId));
        Map<String, String> record = digests.launcherRecord();
        List<Map<String, Object>> list = new ArrayList<>();
        Set<Long> ids = new HashSet<>();
        for (Bundle bundle : bundles) {
            ids.add(bundle.getBundleId());
            list.add(toJson(bundle, digests.of(bundle, record)));
        }
        digests.retainOnly(ids);
        return new Reply(200, Map.of("bundles", list));
    }

    static Map<String, Object> toJson(Bundle bundle, BundleDigests.Digest digest) {
        Map<String, Object> json = new LinkedHashMap<>();
        String name = bundle.getSymbolicName();
        json.put("id", bundle.getBundleId());
        json.put("symbolic_name", name);
        json.put("version", bundle.getVersion().toString());
        json.put("state", state(bundle.getState()));
        json.put("sha256", digest == null ? null : digest.sha256());
        json.put("sha256_source", digest == null ? null : digest.source().json());
        BundleStartLevel level = bundle.adapt(BundleStartLevel.class);
        json.put("start_level", level == null ? null : level.getStartLevel());
        json.put("edgeflow", BundleContent.isEdgeFlow(name));
        // a location may be a URL with a password (http://user:password@host/...): never shown
        json.put("location", SecretProperties.maskUrlPasswords(bundle.getLocation()));
        return json;
    }

    static String state(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> "UNKNOWN";
        };
    }

    /**
     * The framework storage: {@code org.osgi.framework.storage}, or Felix's default ({@code felix-cache}) when that
     * is not set, either relative to {@code felix.cache.rootdir} (Felix) or the working directory.
     */
    static Path storage(BundleContext context) {
        String storage = context.getProperty(Constants.FRAMEWORK_STORAGE);
        if (storage == null && "Apache Software Foundation".equals(context.getProperty(Constants.FRAMEWORK_VENDOR))) {
            storage = "felix-cache";
        }
        return path(storage, context.getProperty("felix.cache.rootdir"));
    }

    private static Path path(String value, String base) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            Path path = Path.of(value);
            if (!path.isAbsolute() && base != null && !base.isBlank()) {
                path = Path.of(base).resolve(path);
            }
            return path.toAbsolutePath();
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
