package io.edgeflow.update.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.osgi.framework.Version;

/**
 * One operation of a deployment: install or update a bundle from an artifact named by its SHA-256, or uninstall a
 * bundle by its symbolic name. Immutable.
 *
 * @param action what to do
 * @param symbolicName the bundle's symbolic name
 * @param version the artifact's bundle version (install, update), else null
 * @param sha256 the artifact's SHA-256, 64 lower-case hex digits (install, update), else null
 * @param size the artifact's size in bytes (install, update), else 0
 * @param signatures the artifact's signatures as sent ({@code key_id}, {@code public_key}, {@code signature})
 */
record Operation(Action action, String symbolicName, Version version, String sha256, long size,
        List<Map<String, Object>> signatures) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,255}");

    /** The three actions. */
    enum Action {
        INSTALL, UPDATE, UNINSTALL;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** @return true if this operation brings an artifact (install, update) */
    boolean hasArtifact() {
        return action != Action.UNINSTALL;
    }

    /**
     * @param json one element of {@code operations}
     * @param index its position, from 1, for messages
     * @return the operation
     * @throws IllegalArgumentException naming the operation and the field that is wrong
     */
    static Operation fromJson(Object json, int index) {
        String where = "operations[" + index + "]";
        if (!(json instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        Object actionValue = map.get("action");
        Action action;
        try {
            action = Action.valueOf(String.valueOf(actionValue).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ".action must be install, update or uninstall");
        }
        if (!(actionValue instanceof String)) {
            throw new IllegalArgumentException(where + ".action must be install, update or uninstall");
        }
        Object name = map.get("symbolic_name");
        if (!(name instanceof String symbolicName) || !SYMBOLIC_NAME.matcher(symbolicName).matches()) {
            throw new IllegalArgumentException(where + ".symbolic_name must be a bundle symbolic name");
        }
        if (action == Action.UNINSTALL) {
            return new Operation(action, symbolicName, null, null, 0, List.of());
        }
        Version version;
        try {
            version = Version.parseVersion((String) map.get("version"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ".version must be a bundle version such as 0.2.0");
        }
        if (version.equals(Version.emptyVersion) && !"0.0.0".equals(map.get("version"))) {
            throw new IllegalArgumentException(where + ".version must be a bundle version such as 0.2.0");
        }
        if (!(map.get("sha256") instanceof String sha256) || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException(where + ".sha256 must be 64 lower-case hex digits");
        }
        if (!(map.get("size") instanceof Number size) || size.longValue() < 1) {
            throw new IllegalArgumentException(where + ".size must be a positive number of bytes");
        }
        if (!(map.get("signatures") instanceof List<?> list)) {
            throw new IllegalArgumentException(where + ".signatures must be a list");
        }
        List<Map<String, Object>> signatures = new ArrayList<>();
        for (Object s : list) {
            if (!(s instanceof Map<?, ?> sig)) {
                throw new IllegalArgumentException(where + ".signatures: each must be an object");
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            for (String key : List.of("key_id", "public_key", "signature")) {
                if (sig.get(key) instanceof String value) {
                    copy.put(key, value);
                }
            }
            signatures.add(copy);
        }
        return new Operation(action, symbolicName, version, sha256, size.longValue(), List.copyOf(signatures));
    }

    /** @return this operation as the contract writes it */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("action", action.wireName());
        json.put("symbolic_name", symbolicName);
        if (hasArtifact()) {
            json.put("version", version.toString());
            json.put("sha256", sha256);
            json.put("size", size);
            json.put("signatures", signatures);
        }
        return json;
    }

    /** @return the operations as a person reads them: {@code update io.edgeflow.x 1.2.0, uninstall io.edgeflow.y} */
    static String describe(List<Operation> operations) {
        return operations.stream().map(op -> op.action().wireName() + " " + op.symbolicName()
                + (op.version() == null ? "" : " " + op.version())).reduce((a, b) -> a + ", " + b).orElse("");
    }
}
