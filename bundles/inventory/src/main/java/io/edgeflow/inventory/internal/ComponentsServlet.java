package io.edgeflow.inventory.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServletRequest;

import io.edgeflow.bundlecontent.BundleContent;
import io.edgeflow.http.json.ApiError;
import io.edgeflow.http.json.CallerCheck;
import io.edgeflow.http.json.JsonServlet;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Serves {@code GET /api/v1/components}: every Declarative Services component of every bundle, as the
 * {@link ServiceComponentRuntime} sees it, with its state, why it failed to activate, and the references it
 * still waits for. Callers on this machine (and the cloud, through the tunnel) only, unless an API token is
 * configured ({@link CallerCheck}).
 */
@Component(service = Servlet.class, configurationPid = InventoryApiConfiguration.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@HttpWhiteboardServletName("io.edgeflow.inventory.components")
@HttpWhiteboardServletPattern("/api/v1/components")
public final class ComponentsServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;
    /** Longest failure message shown; the runtime may hold a whole stack trace there. */
    static final int MAX_FAILURE_CHARS = 1000;

    private final transient ServiceComponentRuntime runtime;
    private volatile CallerCheck callers;

    /**
     * @param runtime the Declarative Services runtime
     * @param config the local API's settings (the API token)
     */
    @Activate
    public ComponentsServlet(@Reference ServiceComponentRuntime runtime, InventoryApiConfiguration config) {
        this.runtime = runtime;
        this.callers = new CallerCheck(config._api__token());
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
        return new Reply(200, Map.of("components", components(runtime)));
    }

    /**
     * @param runtime the Declarative Services runtime
     * @return one entry per component configuration (one per component that has none), by bundle id and name
     */
    static List<Map<String, Object>> components(ServiceComponentRuntime runtime) {
        List<ComponentDescriptionDTO> descriptions = new ArrayList<>(runtime.getComponentDescriptionDTOs());
        descriptions.sort(Comparator.comparingLong((ComponentDescriptionDTO d) -> d.bundle.id)
                .thenComparing(d -> d.name));
        List<Map<String, Object>> components = new ArrayList<>();
        for (ComponentDescriptionDTO description : descriptions) {
            if (!runtime.isComponentEnabled(description)) {
                components.add(entry(description, null, "disabled"));
                continue;
            }
            Collection<ComponentConfigurationDTO> configurations = runtime.getComponentConfigurationDTOs(description);
            if (configurations.isEmpty()) {
                // enabled, and no configuration to make one of: what DS 1.4 calls unsatisfied_configuration
                components.add(entry(description, null, "unsatisfied_configuration"));
                continue;
            }
            configurations.stream().sorted(Comparator.comparingLong(c -> c.id))
                    .forEach(c -> components.add(entry(description, c, state(c.state))));
        }
        return components;
    }

    private static Map<String, Object> entry(ComponentDescriptionDTO description,
            ComponentConfigurationDTO configuration, String state) {
        Map<String, Object> json = new LinkedHashMap<>();
        String bundle = description.bundle.symbolicName;
        json.put("name", description.name);
        json.put("id", configuration == null ? null : configuration.id);
        json.put("bundle", bundle);
        json.put("bundle_id", description.bundle.id);
        json.put("edgeflow", BundleContent.isEdgeFlow(bundle));
        json.put("state", state);
        json.put("failure", configuration == null || configuration.state != ComponentConfigurationDTO.FAILED_ACTIVATION
                ? null : failure(configuration.failure));
        List<Map<String, Object>> unsatisfied = new ArrayList<>();
        if (configuration != null && configuration.unsatisfiedReferences != null) {
            for (UnsatisfiedReferenceDTO reference : configuration.unsatisfiedReferences) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", reference.name);
                r.put("interface", interfaceOf(description, reference.name));
                r.put("target", reference.target);
                unsatisfied.add(r);
            }
        }
        json.put("unsatisfied_references", unsatisfied);
        return json;
    }

    private static String interfaceOf(ComponentDescriptionDTO description, String reference) {
        if (description.references != null) {
            for (ReferenceDTO r : description.references) {
                if (r.name.equals(reference)) {
                    return r.interfaceName;
                }
            }
        }
        return null;
    }

    /**
     * The failure as a person reads it: its first line (the exception and its message; the runtime may hold the
     * whole stack trace), and the root cause's line when there is one ({@code Caused by: ...}, the activator's own
     * exception under the runtime's wrapper), at most {@link #MAX_FAILURE_CHARS} characters; never the frames.
     */
    static String failure(String failure) {
        if (failure == null) {
            return null;
        }
        List<String> lines = failure.strip().lines().map(String::strip).toList();
        String text = lines.isEmpty() ? "" : lines.get(0);
        String cause = null;
        for (String line : lines) {
            if (line.startsWith("Caused by: ")) {
                cause = line.substring("Caused by: ".length());
            }
        }
        if (cause != null && !text.contains(cause)) {
            text = text + " (caused by " + cause + ")";
        }
        return text.length() > MAX_FAILURE_CHARS ? text.substring(0, MAX_FAILURE_CHARS) + "…" : text;
    }

    static String state(int state) {
        return switch (state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "unsatisfied_configuration";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "unsatisfied_reference";
            case ComponentConfigurationDTO.SATISFIED -> "satisfied";
            case ComponentConfigurationDTO.ACTIVE -> "active";
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> "failed_activation";
            default -> "unknown";
        };
    }
}
