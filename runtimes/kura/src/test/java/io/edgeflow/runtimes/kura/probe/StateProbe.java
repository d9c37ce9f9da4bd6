package io.edgeflow.runtimes.kura.probe;

import java.io.IOException;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.StringJoiner;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * A test bundle that KuraRuntimeIT installs into the Kura-like runtime (never shipped): serves at
 * {@code /edgeflow-itest/state} the state of every bundle, of every Declarative Services component and the services
 * registered under Kura's marker interface, as JSON, so the test can check them from outside the process. A POST to
 * {@code /edgeflow-itest/kura-seed} does to each PID listed for Kura what Kura 5's ConfigurationService does when it
 * registers a PID's metatype (updateWithDefaultConfiguration): the configuration, created if absent, gets the
 * metatype's default for each property it lacks and {@code kura.service.pid}.
 */
public final class StateProbe extends HttpServlet implements BundleActivator {
    private static final long serialVersionUID = 1L;
    private static final String MARKER = "org.eclipse.kura.configuration.ConfigurableComponent";

    private transient BundleContext context;
    private transient ServiceRegistration<?> registration;
    private transient ServiceRegistration<?> kuraUi;

    /** Where the whiteboard stand-in for Kura's web UI serves. */
    static final String KURA_UI_WHITEBOARD = "/kura-ui-stand-in/whiteboard";
    /** Where the HttpService stand-in for Kura's web UI serves (Kura 5's web console uses the HttpService). */
    static final String KURA_UI_HTTP_SERVICE = "/kura-ui-stand-in/http-service";

    /** Answers {@code kura-ui}: what must never show on the EdgeFlow port. */
    static final class KuraUiStandIn extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.getWriter().write("kura-ui");
        }
    }

    @Override
    public void start(BundleContext bundleContext) {
        this.context = bundleContext;
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("osgi.http.whiteboard.servlet.pattern", new String[] {"/edgeflow-itest/state",
            "/edgeflow-itest/kura-seed", "/edgeflow-itest/http"});
        properties.put("osgi.http.whiteboard.servlet.name", "edgeflow-itest-state");
        registration = bundleContext.registerService(Servlet.class.getName(), this, properties);
        // a stand-in for a web UI servlet of Kura's on the whiteboard, as Kura would register it: no target
        Hashtable<String, Object> ui = new Hashtable<>();
        ui.put("osgi.http.whiteboard.servlet.pattern", KURA_UI_WHITEBOARD);
        ui.put("osgi.http.whiteboard.servlet.name", "kura-ui-stand-in");
        kuraUi = bundleContext.registerService(Servlet.class.getName(), new KuraUiStandIn(), ui);
    }

    @Override
    public void stop(BundleContext bundleContext) {
        kuraUi.unregister();
        registration.unregister();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getServletPath().equals("/edgeflow-itest/http")) {
            http(response);
            return;
        }
        StringJoiner bundles = new StringJoiner(",", "[", "]");
        for (Bundle bundle : context.getBundles()) {
            bundles.add("{\"name\":" + quote(bundle.getSymbolicName()) + ",\"version\":"
                    + quote(bundle.getVersion().toString()) + ",\"state\":" + quote(state(bundle.getState())) + "}");
        }
        StringJoiner components = new StringJoiner(",", "[", "]");
        ServiceReference<ServiceComponentRuntime> scrRef = context.getServiceReference(ServiceComponentRuntime.class);
        if (scrRef != null) {
            ServiceComponentRuntime scr = context.getService(scrRef);
            try {
                for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
                    StringJoiner states = new StringJoiner(",", "[", "]");
                    for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                        states.add(quote(componentState(configuration.state)));
                    }
                    components.add("{\"name\":" + quote(description.name) + ",\"bundle\":"
                            + quote(description.bundle.symbolicName) + ",\"enabled\":"
                            + scr.isComponentEnabled(description) + ",\"states\":" + states + "}");
                }
            } finally {
                context.ungetService(scrRef);
            }
        }
        StringJoiner configurable = new StringJoiner(",", "[", "]");
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(MARKER, null);
            for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                configurable.add("{\"service.pid\":" + quote(ref.getProperty("service.pid")) + ",\"kura.service.pid\":"
                        + quote(ref.getProperty("kura.service.pid")) + ",\"bundle\":"
                        + quote(ref.getBundle().getSymbolicName()) + "}");
            }
        } catch (InvalidSyntaxException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        }
        response.setContentType("application/json");
        response.getWriter().write("{\"scr\":" + (scrRef != null) + ",\"bundles\":" + bundles + ",\"components\":"
                + components + ",\"configurable\":" + configurable + "}");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getServletPath().equals("/edgeflow-itest/http")) {
            registerOnHttpService(response);
            return;
        }
        ServiceReference<ConfigurationAdmin> cmRef = context.getServiceReference(ConfigurationAdmin.class);
        ServiceReference<MetaTypeService> mtRef = context.getServiceReference(MetaTypeService.class);
        ConfigurationAdmin cm = context.getService(cmRef);
        MetaTypeService metaType = context.getService(mtRef);
        StringJoiner seeded = new StringJoiner(",", "[", "]");
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(MARKER, null);
            for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                String pid = (String) ref.getProperty("service.pid");
                ObjectClassDefinition ocd = ocd(metaType, pid);
                Configuration configuration = cm.getConfiguration(pid, "?");
                Dictionary<String, Object> properties = configuration.getProperties();
                if (properties == null) {
                    properties = new Hashtable<>();
                }
                for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
                    String[] defaults = ad.getDefaultValue();
                    if (properties.get(ad.getID()) == null && defaults != null && defaults.length == 1
                            && ad.getCardinality() == 0) {
                        properties.put(ad.getID(), typed(ad.getType(), defaults[0]));
                    }
                }
                properties.put("kura.service.pid", pid);
                configuration.update(properties);
                seeded.add(quote(pid));
            }
        } catch (InvalidSyntaxException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        } finally {
            context.ungetService(cmRef);
            context.ungetService(mtRef);
        }
        response.setContentType("application/json");
        response.getWriter().write("{\"seeded\":" + seeded + "}");
    }

    /**
     * The HTTP runtimes (the service properties each Equinox HTTP Jetty server publishes), the HttpService a bundle
     * gets by a plain look-up, and the Config Admin configurations of Equinox HTTP Jetty's factory.
     */
    private void http(HttpServletResponse response) throws IOException {
        StringJoiner runtimes = new StringJoiner(",", "[", "]");
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(
                    "org.osgi.service.http.runtime.HttpServiceRuntime", null);
            for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                runtimes.add(properties(ref));
            }
            StringJoiner servlets = new StringJoiner(",", "[", "]");
            ServiceReference<?>[] servletRefs = context.getAllServiceReferences(Servlet.class.getName(), null);
            for (ServiceReference<?> ref : servletRefs == null ? new ServiceReference<?>[0] : servletRefs) {
                servlets.add("{\"name\":" + quote(ref.getProperty("osgi.http.whiteboard.servlet.name"))
                        + ",\"target\":" + quote(ref.getProperty("osgi.http.whiteboard.target")) + "}");
            }
            ServiceReference<?> httpService = context.getServiceReference("org.osgi.service.http.HttpService");
            StringJoiner configurations = new StringJoiner(",", "[", "]");
            ServiceReference<ConfigurationAdmin> cmRef = context.getServiceReference(ConfigurationAdmin.class);
            ConfigurationAdmin cm = context.getService(cmRef);
            try {
                Configuration[] found = cm.listConfigurations(
                        "(service.factoryPid=org.eclipse.equinox.http.jetty.config)");
                for (Configuration configuration : found == null ? new Configuration[0] : found) {
                    StringJoiner values = new StringJoiner(",", "{", "}");
                    values.add("\"service.pid\":" + quote(configuration.getPid()));
                    for (String key : java.util.Collections.list(configuration.getProperties().keys())) {
                        values.add(quote(key) + ":" + quote(configuration.getProperties().get(key)));
                    }
                    configurations.add(values.toString());
                }
            } finally {
                context.ungetService(cmRef);
            }
            response.setContentType("application/json");
            response.getWriter().write("{\"runtimes\":" + runtimes + ",\"servlets\":" + servlets + ",\"httpService\":"
                    + (httpService == null ? "null" : properties(httpService)) + ",\"configurations\":"
                    + configurations + "}");
        } catch (InvalidSyntaxException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        }
    }

    /** Registers the HttpService stand-in for Kura's UI on the HttpService a plain look-up gives, as Kura's would. */
    private void registerOnHttpService(HttpServletResponse response) throws IOException {
        ServiceReference<org.osgi.service.http.HttpService> ref = context.getServiceReference(
                org.osgi.service.http.HttpService.class);
        try {
            context.getService(ref).registerServlet(KURA_UI_HTTP_SERVICE, new KuraUiStandIn(), null, null);
        } catch (javax.servlet.ServletException | org.osgi.service.http.NamespaceException e) {
            throw new IOException(e);
        }
        response.setContentType("application/json");
        response.getWriter().write("{\"registered\":" + properties(ref) + "}");
    }

    private static String properties(ServiceReference<?> ref) {
        StringJoiner values = new StringJoiner(",", "{", "}");
        for (String key : ref.getPropertyKeys()) {
            Object value = ref.getProperty(key);
            values.add(quote(key) + ":" + quote(value instanceof Object[] array ? Arrays.toString(array) : value));
        }
        return values.toString();
    }

    private ObjectClassDefinition ocd(MetaTypeService metaType, String pid) {
        for (Bundle bundle : context.getBundles()) {
            MetaTypeInformation info = metaType.getMetaTypeInformation(bundle);
            if (info != null && Arrays.asList(info.getPids()).contains(pid)) {
                return info.getObjectClassDefinition(pid, null);
            }
        }
        throw new IllegalStateException("no metatype for " + pid);
    }

    private static Object typed(int type, String value) {
        switch (type) {
            case AttributeDefinition.INTEGER: return Integer.valueOf(value);
            case AttributeDefinition.LONG: return Long.valueOf(value);
            case AttributeDefinition.BOOLEAN: return Boolean.valueOf(value);
            case AttributeDefinition.DOUBLE: return Double.valueOf(value);
            case AttributeDefinition.FLOAT: return Float.valueOf(value);
            case AttributeDefinition.SHORT: return Short.valueOf(value);
            case AttributeDefinition.BYTE: return Byte.valueOf(value);
            case AttributeDefinition.CHARACTER: return value.charAt(0);
            default: return value;
        }
    }

    private static String state(int state) {
        switch (state) {
            case Bundle.ACTIVE: return "ACTIVE";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.INSTALLED: return "INSTALLED";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            default: return Integer.toString(state);
        }
    }

    private static String componentState(int state) {
        switch (state) {
            case ComponentConfigurationDTO.ACTIVE: return "ACTIVE";
            case ComponentConfigurationDTO.SATISFIED: return "SATISFIED";
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION: return "UNSATISFIED_CONFIGURATION";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE: return "UNSATISFIED_REFERENCE";
            case 16: return "FAILED_ACTIVATION";
            default: return Integer.toString(state);
        }
    }

    private static String quote(Object value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toString().toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
