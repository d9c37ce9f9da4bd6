package io.edgeflow.config.internal;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.Dictionary;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before Felix HTTP receives its configuration, that the local API's address is free. Felix HTTP Jetty
 * 1.1.8 answers a port in use with three errors and a NullPointerException (after the BindException it stops
 * Jetty, then uses the stopped server); this says it once, naming the address and the setting, and hands Felix
 * HTTP a configuration with its connectors off, so the agent runs on without its local API, quietly.
 */
@Component(service = ConfigurationPlugin.class, property = {
    ConfigurationPlugin.CM_TARGET + "=" + Setting.HTTP_PID, ConfigurationPlugin.CM_RANKING + ":Integer=100"})
public final class HttpPortCheck implements ConfigurationPlugin {
    private static final Logger LOG = LoggerFactory.getLogger(HttpPortCheck.class);
    static final String HOST = "org.apache.felix.http.host";
    static final String PORT = "org.osgi.service.http.port";
    static final String HTTP_ENABLE = "org.apache.felix.http.enable";
    static final String HTTPS_ENABLE = "org.apache.felix.https.enable";

    private final BundleContext context;

    /** @param context for the framework's defaults and the HTTP runtime's current address */
    @Activate
    public HttpPortCheck(BundleContext context) {
        this.context = context;
    }

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        if ("false".equalsIgnoreCase(String.valueOf(value(properties, HTTP_ENABLE, "true")))) {
            return;
        }
        String host = String.valueOf(value(properties, HOST, "0.0.0.0")).strip();
        int port;
        try {
            port = Integer.parseInt(String.valueOf(value(properties, PORT, "8080")).strip());
        } catch (NumberFormatException e) {
            return; // Felix HTTP reports what it cannot read
        }
        if (port <= 0 || port > 65535 || servedByUs(port)) {
            return;
        }
        String problem = inUse(host, port);
        if (problem != null) {
            LOG.error("The local API cannot listen on {}:{}: {}. Stop the other program, or choose another port "
                    + "(EDGEFLOW_HTTP_PORT, {} {}); the agent runs on without its local API until then.", host, port,
                    problem, Setting.HTTP_PID, PORT);
            properties.put(HTTP_ENABLE, Boolean.FALSE);
            properties.put(HTTPS_ENABLE, Boolean.FALSE);
        }
    }

    private Object value(Dictionary<String, Object> properties, String key, String fallback) {
        Object value = properties.get(key);
        if (value == null) {
            value = context.getProperty(key);
        }
        return value == null ? fallback : value;
    }

    /** True if the HTTP runtime listens on this port already: Felix HTTP re-binds it itself. */
    private boolean servedByUs(int port) {
        try {
            ServiceReference<?>[] runtimes = context.getServiceReferences((String) null, "(osgi.http.endpoint=*)");
            if (runtimes == null) {
                return false;
            }
            for (ServiceReference<?> runtime : runtimes) {
                Object endpoints = runtime.getProperty("osgi.http.endpoint");
                String text = endpoints instanceof String[] array ? String.join(" ", array) : String.valueOf(endpoints);
                if (text.contains(":" + port + "/")) {
                    return true;
                }
            }
            return false;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("constant filter", e);
        }
    }

    /**
     * @return null if the address can be bound now, else why not, in words
     */
    static String inUse(String host, int port) {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.setOption(StandardSocketOptions.SO_REUSEADDR, true); // as Jetty binds
            probe.bind(host.isEmpty() || host.equals("0.0.0.0") ? new InetSocketAddress(port)
                    : new InetSocketAddress(host, port));
            return null;
        } catch (BindException e) {
            String reason = String.valueOf(e.getMessage());
            return reason.toLowerCase(java.util.Locale.ROOT).contains("in use")
                    ? "the port is in use by another program" : "the address cannot be bound here (" + reason + ")";
        } catch (IOException | RuntimeException e) {
            return null; // anything else is Felix HTTP's to report
        }
    }
}
