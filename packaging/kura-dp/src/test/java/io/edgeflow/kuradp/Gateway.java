package io.edgeflow.kuradp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.BundleListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * A gateway's OSGi framework in this JVM: Felix with Declarative Services, Config Admin, Metatype, Log, Felix HTTP
 * (Jetty 12) and SLF4J, plus Apache Felix Deployment Admin, as the test's {@code edgeflow.dp.gateway} property lists
 * them. The framework's class path holds only the framework itself (bundles see none of the test's classes), so
 * Deployment Admin and Config Admin are driven through their own interfaces, loaded from the bundles that export
 * them, by reflection.
 */
final class Gateway implements AutoCloseable {
    static final String HTTP_PID = "org.apache.felix.http";

    private final Framework framework;
    private final BundleContext context;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Object changes = new Object();
    private long changeCount;

    private Gateway(Framework framework, int port) {
        this.framework = framework;
        this.context = framework.getBundleContext();
        this.port = port;
        ServiceListener services = (ServiceEvent e) -> changed();
        BundleListener bundles = (BundleEvent e) -> changed();
        context.addServiceListener(services);
        context.addBundleListener(bundles);
    }

    /**
     * Starts the gateway: the framework, then its bundles in order, then Felix HTTP on a free loopback port set
     * through its PID (Felix HTTP waits for that configuration: {@code org.apache.felix.http.require.config}).
     */
    static Gateway start(Path dir, List<Path> bundles) throws Exception {
        Files.createDirectories(dir);
        Path envFile = Files.writeString(dir.resolve("edgeflow.env"), "# no settings: the test sets them through Config Admin\n");
        Map<String, String> properties = new HashMap<>();
        properties.put("org.osgi.framework.storage", dir.resolve("framework").toString());
        properties.put("org.osgi.framework.storage.clean", "onFirstInit");
        properties.put("org.apache.felix.http.require.config", "true");
        properties.put("ds.loglevel", "warn");
        // what the agent's configuration import and vault read instead of /etc/edgeflow/.env and /var/lib/edgeflow
        properties.put("edgeflow.env.file", envFile.toString());
        properties.put("edgeflow.data.dir", dir.resolve("data").toString());
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the test class path"));
        Framework framework = factory.newFramework(properties);
        framework.start();
        int port = freePort();
        Gateway gateway = new Gateway(framework, port);
        try {
            List<Bundle> installed = new ArrayList<>();
            for (Path bundle : bundles) {
                installed.add(gateway.context.installBundle(bundle.toUri().toString()));
            }
            for (Bundle bundle : installed) {
                bundle.start();
            }
            Hashtable<String, Object> http = new Hashtable<>();
            http.put("org.apache.felix.http.host", "127.0.0.1");
            http.put("org.osgi.service.http.port", port);
            gateway.configure(HTTP_PID, http);
            gateway.await("Felix HTTP listening on 127.0.0.1:" + port, Duration.ofSeconds(20),
                    () -> gateway.get("/").statusCode() > 0);
        } catch (Exception | Error e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    BundleContext context() {
        return context;
    }

    int port() {
        return port;
    }

    /** @return every bundle but the framework itself */
    List<Bundle> bundles() {
        List<Bundle> bundles = new ArrayList<>(List.of(context.getBundles()));
        bundles.removeIf(b -> b.getBundleId() == 0);
        return bundles;
    }

    /** @return each bundle's name, version and state, for a failure message */
    String states() {
        StringBuilder text = new StringBuilder();
        for (Bundle b : bundles()) {
            text.append(b.getSymbolicName()).append(' ').append(b.getVersion()).append('=').append(switch (b.getState()) {
                case Bundle.ACTIVE -> "ACTIVE";
                case Bundle.RESOLVED -> "RESOLVED";
                case Bundle.INSTALLED -> "INSTALLED";
                default -> Integer.toString(b.getState());
            }).append(", ");
        }
        return text.toString();
    }

    // ------------------------------------------------------------------------------------------------ waiting

    private void changed() {
        synchronized (changes) {
            changeCount++;
            changes.notifyAll();
        }
    }

    /**
     * Waits until the condition holds, checking it again at each bundle or service event in the framework (a
     * servlet registering, Felix HTTP updating its runtime service) and at least every 200 ms, for what happens
     * outside the framework (a port opening). A condition that throws counts as not yet.
     */
    <T> T await(String what, Duration patience, Supplier<T> condition) {
        Instant deadline = Instant.now().plus(patience);
        String last = "nothing yet";
        while (true) {
            long seen;
            synchronized (changes) {
                seen = changeCount;
            }
            try {
                T value = condition.get();
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
                last = String.valueOf(value);
            } catch (RuntimeException | AssertionError e) {
                last = e.toString();
            }
            long left = Duration.between(Instant.now(), deadline).toMillis();
            if (left <= 0) {
                throw new AssertionError("not within " + patience + ": " + what + "; last: " + last
                        + "; bundles: " + states());
            }
            synchronized (changes) {
                if (changeCount == seen) {
                    try {
                        changes.wait(Math.min(left, 200));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError("interrupted while waiting for " + what);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- HTTP

    /** GET on the gateway's HTTP port; a refused connection is an UncheckedIOException. */
    HttpResponse<String> get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------- services, reflected

    /** The service registered under the interface, and that interface as its exporter loads it. */
    record Service(Object instance, Class<?> type) {
        Object call(String method, Object... args) throws Exception {
            for (Method m : type.getMethods()) {
                if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                    return invoke(instance, m, args);
                }
            }
            throw new NoSuchMethodException(type.getName() + "." + method);
        }
    }

    Service service(String interfaceName, Duration patience) {
        return await(interfaceName + " registered", patience, () -> {
            // all references, not only those whose interface the framework's class path sees as the registrant's: the
            // test's class path (the framework's) holds the bundles' jars too, so it has its own copies
            ServiceReference<?>[] refs;
            try {
                refs = context.getAllServiceReferences(interfaceName, null);
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
            if (refs == null) {
                return null;
            }
            ServiceReference<?> ref = refs[0];
            try {
                return new Service(context.getService(ref), ref.getBundle().loadClass(interfaceName));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Calls a public method of an object the framework gave us (a DeploymentPackage, a Configuration). */
    static Object call(Object target, String interfaceName, String method, Object... args) throws Exception {
        Class<?> type = findInterface(target.getClass(), interfaceName);
        for (Method m : type.getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                return invoke(target, m, args);
            }
        }
        throw new NoSuchMethodException(interfaceName + "." + method);
    }

    private static Class<?> findInterface(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return c;
            }
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals(name)) {
                    return i;
                }
                Class<?> found = findInterface(i, name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static Object invoke(Object target, Method m, Object... args) throws Exception {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Merges properties into a configuration through Config Admin, as a console would. */
    void configure(String pid, Dictionary<String, Object> properties) throws Exception {
        Object configuration = configAdmin().call("getConfiguration", pid, "?");
        @SuppressWarnings("unchecked")
        Dictionary<String, Object> current = (Dictionary<String, Object>) call(configuration,
                "org.osgi.service.cm.Configuration", "getProperties");
        Hashtable<String, Object> merged = new Hashtable<>();
        if (current != null) {
            for (var keys = current.keys(); keys.hasMoreElements();) {
                String key = keys.nextElement();
                merged.put(key, current.get(key));
            }
        }
        for (var keys = properties.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            merged.put(key, properties.get(key));
        }
        call(configuration, "org.osgi.service.cm.Configuration", "update", merged);
    }

    /** @return a configuration's properties as Config Admin holds them, or null if it has none */
    Object configured(String pid, String property) throws Exception {
        Object configuration = configAdmin().call("getConfiguration", pid, "?");
        Dictionary<?, ?> current = (Dictionary<?, ?>) call(configuration, "org.osgi.service.cm.Configuration",
                "getProperties");
        return current == null ? null : current.get(property);
    }

    private Service configAdmin() {
        return service("org.osgi.service.cm.ConfigurationAdmin", Duration.ofSeconds(10));
    }

    @Override
    public void close() throws BundleException, InterruptedException {
        framework.stop();
        framework.waitForStop(30_000);
    }
}
