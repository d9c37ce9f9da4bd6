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

    @Override
    public void start(BundleContext bundleContext) {
        this.context = bundleContext;
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("osgi.http.whiteboard.servlet.pattern", new String[] {"/edgeflow-itest/state",
            "/edgeflow-itest/kura-seed"});
        properties.put("osgi.http.whiteboard.servlet.name", "edgeflow-itest-state");
        registration = bundleContext.registerService(Servlet.class.getName(), this, properties);
    }

    @Override
    public void stop(BundleContext bundleContext) {
        registration.unregister();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
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
