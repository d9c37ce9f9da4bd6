package io.edgeflow.provisioning.internal;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

import io.edgeflow.endpoint.internal.LinkConfiguration;
import io.edgeflow.endpoint.internal.LinkSettings;

/** Builds the configuration annotation as Declarative Services would from Config Admin properties. */
final class Configs {
    private Configs() {
    }

    /**
     * @param properties Config Admin properties, by their names ({@code provisioning_code}); others default
     * @return the configuration
     */
    static SaasConfiguration saas(Map<String, Object> properties) {
        return config(SaasConfiguration.class, properties);
    }

    /**
     * @param type a component property type
     * @param properties Config Admin properties, by their names; others default
     * @return the configuration
     */
    static <T> T config(Class<T> type, Map<String, Object> properties) {
        Map<String, Object> copy = new HashMap<>(properties);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(),
                new Class<?>[] {type}, (proxy, method, args) -> {
                    String name = propertyName(method.getName());
                    return switch (method.getName()) {
                        case "annotationType" -> type;
                        case "toString" -> type.getSimpleName() + copy.keySet();
                        case "hashCode" -> copy.hashCode();
                        case "equals" -> proxy == args[0];
                        default -> copy.containsKey(name) ? copy.get(name) : method.getDefaultValue();
                    };
                }));
    }

    /**
     * The property a method of a component property type reads (DS 1.4, 112.8.2.1): {@code $$} is {@code $},
     * {@code $_$} is {@code -}, a lone {@code $} is dropped, {@code __} is {@code _}, a lone {@code _} is {@code .}.
     */
    static String propertyName(String method) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c == '$') {
                if (method.startsWith("$$", i)) {
                    name.append('$');
                    i++;
                } else if (method.startsWith("$_$", i)) {
                    name.append('-');
                    i += 2;
                }
            } else if (c == '_') {
                if (method.startsWith("__", i)) {
                    name.append('_');
                    i++;
                } else {
                    name.append('.');
                }
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }

    /**
     * @param properties Config Admin properties
     * @return the settings, with the link's problem as the cloud endpoint bundle publishes it for them
     */
    static SaasSettings settings(Map<String, Object> properties) {
        LinkSettings link = LinkSettings.of(config(LinkConfiguration.class, properties), Map.of());
        return SaasSettings.of(saas(properties), link.enabled() ? link.problem() : null);
    }
}
