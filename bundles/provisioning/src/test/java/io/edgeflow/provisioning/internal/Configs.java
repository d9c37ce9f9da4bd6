package io.edgeflow.provisioning.internal;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/** Builds the configuration annotation as Declarative Services would from Config Admin properties. */
final class Configs {
    private Configs() {
    }

    /**
     * @param properties Config Admin properties, by their names ({@code provisioning_code}); others default
     * @return the configuration
     */
    static SaasConfiguration saas(Map<String, Object> properties) {
        Map<String, Object> copy = new HashMap<>(properties);
        return (SaasConfiguration) Proxy.newProxyInstance(SaasConfiguration.class.getClassLoader(),
                new Class<?>[] {SaasConfiguration.class}, (proxy, method, args) -> {
                    String name = method.getName().replace("__", "_");
                    return switch (method.getName()) {
                        case "annotationType" -> SaasConfiguration.class;
                        case "toString" -> "SaasConfiguration" + copy.keySet();
                        case "hashCode" -> copy.hashCode();
                        case "equals" -> proxy == args[0];
                        default -> copy.containsKey(name) ? copy.get(name) : method.getDefaultValue();
                    };
                });
    }

    static SaasSettings settings(Map<String, Object> properties) {
        return SaasSettings.of(saas(properties), Map.of());
    }
}
