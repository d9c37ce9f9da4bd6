package io.edgeflow.kura.internal;

import java.lang.reflect.Proxy;
import java.net.URL;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/** Hand-made stand-ins for the framework's objects: each answers only the calls the adapter makes. */
final class Fakes {
    private Fakes() {
    }

    @SuppressWarnings("unchecked")
    static <T> T fake(Class<T> type, Map<String, Function<Object[], Object>> answers) {
        return (T) Proxy.newProxyInstance(Fakes.class.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Function<Object[], Object> answer = answers.get(method.getName());
            if (answer != null) {
                return answer.apply(args);
            }
            switch (method.getName()) {
                case "hashCode": return System.identityHashCode(proxy);
                case "equals": return proxy == args[0];
                case "toString": return type.getSimpleName() + " fake";
                default: throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName());
            }
        });
    }

    /** A wiring with package wires to the given packages. */
    static BundleWiring wiring(String... packages) {
        List<BundleWire> wires = new ArrayList<>();
        for (String pkg : packages) {
            BundleCapability capability = fake(BundleCapability.class,
                    Map.of("getAttributes", a -> Map.of(PackageNamespace.PACKAGE_NAMESPACE, pkg)));
            wires.add(fake(BundleWire.class, Map.of("getCapability", a -> capability)));
        }
        return fake(BundleWiring.class, Map.of("getRequiredWires",
                a -> PackageNamespace.PACKAGE_NAMESPACE.equals(a[0]) ? wires : List.of()));
    }

    /** An active bundle holding the given entries (file names under the bundle root). */
    static Bundle bundle(long id, String name, Set<String> entries, BundleWiring wiring) {
        return fake(Bundle.class, Map.of(
                "getSymbolicName", a -> name,
                "getBundleId", a -> id,
                "getState", a -> Bundle.ACTIVE,
                "getEntry", a -> entries.contains((String) a[0]) ? url(name, (String) a[0]) : null,
                "adapt", a -> a[0] == BundleWiring.class ? wiring : null));
    }

    private static URL url(String bundle, String entry) {
        try {
            return new URL("file:/" + bundle + "/" + entry);
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A metatype with one OCD per PID; the map says each PID's OCD id. */
    static MetaTypeInformation metatype(Map<String, String> ocdIdByPid) {
        return fake(MetaTypeInformation.class, Map.of(
                "getPids", a -> ocdIdByPid.keySet().stream().sorted().toArray(String[]::new),
                "getObjectClassDefinition", a -> {
                    String id = ocdIdByPid.get((String) a[0]);
                    if (id == null) {
                        throw new IllegalArgumentException("no such PID " + a[0]);
                    }
                    return fake(ObjectClassDefinition.class, Map.of("getID", b -> id));
                }));
    }

    static MetaTypeService metaTypeService(Map<Bundle, MetaTypeInformation> byBundle) {
        return fake(MetaTypeService.class, Map.of("getMetaTypeInformation", a -> byBundle.get((Bundle) a[0])));
    }

    /** What a fake context was asked to register. */
    record Registered(String className, Object service, Dictionary<String, ?> properties, boolean[] unregistered) {
    }

    /** A context of the given bundle that sees the given bundles and records its registrations. */
    static BundleContext context(Bundle self, Bundle[] all, List<Registered> registered, List<String> calls) {
        return fake(BundleContext.class, Map.of(
                "getBundle", a -> {
                    calls.add("getBundle");
                    return self;
                },
                "getBundles", a -> {
                    calls.add("getBundles");
                    return all;
                },
                "addBundleListener", a -> {
                    calls.add("addBundleListener");
                    return null;
                },
                "removeBundleListener", a -> {
                    calls.add("removeBundleListener");
                    return null;
                },
                "registerService", a -> {
                    boolean[] unregistered = {false};
                    registered.add(new Registered((String) a[0], a[1], (Dictionary<String, ?>) a[2], unregistered));
                    return fake(ServiceRegistration.class, Map.of("unregister", b -> {
                        unregistered[0] = true;
                        return null;
                    }));
                }));
    }
}
