package io.edgeflow.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

import io.edgeflow.json.JsonCodec;

class EdgeFlowConfigurationsTest {
    private static final String TUNNEL = "io.edgeflow.tunnel";
    private static final String SAAS = "io.edgeflow.saas";

    /** Config Admin in memory: PID to properties (null until first written). */
    private final Map<String, Hashtable<String, Object>> store = new TreeMap<>();
    private int writes;

    private final Map<String, List<AttributeDefinition>> metatype = new LinkedHashMap<>();

    EdgeFlowConfigurationsTest() {
        metatype.put(TUNNEL, List.of(
                Ad.of("heartbeat_interval_seconds", AttributeDefinition.INTEGER).defaults("30"),
                Ad.of("mode", AttributeDefinition.STRING).options("fast", "safe").defaults("safe"),
                Ad.of("hosts", AttributeDefinition.STRING).cardinality(3)));
        metatype.put(SAAS, List.of(
                Ad.of("url", AttributeDefinition.STRING).defaults("saas.edgx.cloud:443"),
                Ad.of("proxy_password", AttributeDefinition.PASSWORD).defaults("default-secret"),
                Ad.of(".provisioning_code", AttributeDefinition.STRING)));
    }

    private EdgeFlowConfigurations configurations() {
        Bundle bundle = proxy(Bundle.class, (m, a) -> switch (m) {
            case "getBundleId" -> 7L;
            case "getSymbolicName" -> "io.edgeflow.test";
            case "getState" -> Bundle.ACTIVE;
            case "getLastModified" -> 1L;
            default -> null;
        });
        Map<String, AttributeValues.Range> ranges = Map.of("heartbeat_interval_seconds",
                new AttributeValues.Range("1", "3600"));
        MetaTypeInformation information = proxy(MetaTypeInformation.class, (m, a) -> switch (m) {
            case "getPids" -> metatype.keySet().toArray(String[]::new);
            case "getFactoryPids" -> new String[0];
            case "getObjectClassDefinition" -> ocd((String) a[0]);
            default -> null;
        });
        MetaTypeService service = proxy(MetaTypeService.class, (m, a) -> "getMetaTypeInformation".equals(m)
                ? information : null);
        ConfigurationAdmin admin = proxy(ConfigurationAdmin.class, (m, a) -> switch (m) {
            case "listConfigurations" -> store.keySet().stream().filter(pid -> store.get(pid) != null)
                    .map(this::configuration).toArray(Configuration[]::new);
            case "getConfiguration" -> configuration((String) a[0]);
            default -> null;
        });
        // the metatype XML's ranges, which a proxy bundle has no entries for
        return new EdgeFlowConfigurations(admin, service, () -> new Bundle[] {bundle},
                b -> Map.of(TUNNEL + ".ocd", ranges));
    }

    private ObjectClassDefinition ocd(String pid) {
        return proxy(ObjectClassDefinition.class, (m, a) -> switch (m) {
            case "getID" -> pid + ".ocd";
            case "getName" -> "OCD " + pid;
            case "getDescription" -> "About " + pid;
            case "getAttributeDefinitions" -> metatype.get(pid).toArray(AttributeDefinition[]::new);
            default -> null;
        });
    }

    private Configuration configuration(String pid) {
        return proxy(Configuration.class, (m, a) -> switch (m) {
            case "getPid" -> pid;
            case "getFactoryPid" -> null;
            case "getProperties" -> store.get(pid) == null ? null : new Hashtable<>(store.get(pid));
            case "updateIfDifferent" -> {
                @SuppressWarnings("unchecked")
                Dictionary<String, Object> d = (Dictionary<String, Object>) a[0];
                Hashtable<String, Object> next = new Hashtable<>();
                Collections.list(d.keys()).forEach(k -> next.put(k, d.get(k)));
                next.put("service.pid", pid);
                boolean changed = !next.equals(store.get(pid));
                if (changed) {
                    store.put(pid, next);
                    writes++;
                }
                yield changed;
            }
            default -> null;
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, java.util.function.BiFunction<String, Object[], Object> answer) {
        return (T) Proxy.newProxyInstance(EdgeFlowConfigurationsTest.class.getClassLoader(), new Class<?>[] {type},
                (p, m, a) -> switch (m.getName()) {
                    case "equals" -> p == a[0];
                    case "hashCode" -> System.identityHashCode(p);
                    case "toString" -> type.getSimpleName();
                    default -> answer.apply(m.getName(), a);
                });
    }

    private void configure(String pid, Map<String, Object> properties) {
        Hashtable<String, Object> p = new Hashtable<>(properties);
        p.put("service.pid", pid);
        store.put(pid, p);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> attribute(Map<String, Object> view, String id) {
        return ((List<Map<String, Object>>) view.get("attributes")).stream().filter(a -> id.equals(a.get("id")))
                .findFirst().orElseThrow();
    }

    private static String json(Object value) {
        return new String(JsonCodec.withLimits(64, 1 << 20).writePretty(value), StandardCharsets.UTF_8);
    }

    @Test
    void showsEveryPidWithItsMetatypeDefaultsAndValues() throws Exception {
        configure(TUNNEL, Map.of("heartbeat_interval_seconds", 45, "osgi.http.whiteboard.target", "(a=b)"));
        List<Map<String, Object>> all = configurations().all();
        assertThat(all).extracting(v -> v.get("pid")).containsExactly(SAAS, TUNNEL);
        Map<String, Object> tunnel = all.get(1);
        assertThat(tunnel).containsEntry("configured", true).containsEntry("name", "OCD " + TUNNEL);
        Map<String, Object> heartbeat = attribute(tunnel, "heartbeat_interval_seconds");
        assertThat(heartbeat).containsEntry("type", "integer").containsEntry("cardinality", 0)
                .containsEntry("value", 45).containsEntry("min", "1").containsEntry("max", "3600")
                .containsEntry("default", java.math.BigInteger.valueOf(30));
        assertThat(attribute(tunnel, "mode").get("options")).asList().hasSize(2);
        assertThat(tunnel.get("other_properties")).asList().singleElement()
                .isEqualTo(Map.of("id", "osgi.http.whiteboard.target", "secret", false, "value", "(a=b)"));
        assertThat(all.get(0)).containsEntry("configured", false);
        assertThat(attribute(all.get(0), "url")).containsEntry("value", null);
    }

    @Test
    void neverShowsASecretOnlyWhetherItIsSet() throws Exception {
        configure(SAAS, Map.of("url", "https://cloud.example:443", "proxy_password", "hunter2",
                ".provisioning_code", "PROV-A1B2-C3D4", ".api_key", "efk_0123456789abcdef", "access_token", ""));
        EdgeFlowConfigurations configurations = configurations();
        String everything = json(configurations.all()) + json(configurations.one(SAAS));
        assertThat(everything).doesNotContain("hunter2", "PROV-A1B2", "efk_0123", "default-secret")
                .contains("https://cloud.example:443");
        Map<String, Object> saas = configurations.one(SAAS);
        assertThat(attribute(saas, "proxy_password")).containsEntry("secret", true).containsEntry("set", true)
                .doesNotContainKeys("value", "default");
        assertThat(attribute(saas, ".provisioning_code")).containsEntry("set", true);
        assertThat(json(saas.get("other_properties"))).contains("\"set\": false"); // access_token, empty
    }

    @Test
    void appliesValidValuesAndKeepsTheOtherProperties() throws Exception {
        configure(SAAS, Map.of("url", "a:1", "proxy_password", "hunter2"));
        EdgeFlowConfigurations.Update update = configurations().update(SAAS, Map.of("url", "b:2"));
        assertThat(update.changed()).isTrue();
        assertThat(store.get(SAAS)).containsEntry("url", "b:2").containsEntry("proxy_password", "hunter2");
        assertThat(json(update.view())).doesNotContain("hunter2").contains("b:2");
        // the same again: nothing written
        assertThat(configurations().update(SAAS, Map.of("url", "b:2")).changed()).isFalse();
        assertThat(writes).isEqualTo(1);
    }

    @Test
    void createsAConfigurationThatDoesNotExistYet() throws Exception {
        EdgeFlowConfigurations.Update update = configurations().update(TUNNEL,
                Map.of("heartbeat_interval_seconds", "60", "hosts", List.of("a", "b")));
        assertThat(store.get(TUNNEL)).containsEntry("heartbeat_interval_seconds", 60);
        assertThat((String[]) store.get(TUNNEL).get("hosts")).containsExactly("a", "b");
        assertThat(attribute(update.view(), "hosts")).containsEntry("value", List.of("a", "b"));
    }

    @Test
    void anInvalidValueChangesNothing() throws Exception {
        configure(TUNNEL, Map.of("heartbeat_interval_seconds", 45, "mode", "fast"));
        Map<String, Object> before = new HashMap<>(store.get(TUNNEL));
        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("mode", "safe"); // valid
        changes.put("heartbeat_interval_seconds", 0); // below the minimum
        InvalidValueException e = catchThrowableOfType(() -> configurations().update(TUNNEL, changes),
                InvalidValueException.class);
        assertThat(e.code()).isEqualTo("invalid_configuration");
        assertThat(e.property()).isEqualTo("heartbeat_interval_seconds");
        assertThat(store.get(TUNNEL)).isEqualTo(before);
        assertThat(writes).isZero();
        e = catchThrowableOfType(() -> configurations().update(TUNNEL, Map.of("mode", "reckless")),
                InvalidValueException.class);
        assertThat(e.property()).isEqualTo("mode");
        assertThat(store.get(TUNNEL)).isEqualTo(before);
    }

    @Test
    void aPropertyTheMetatypeDoesNotKnowChangesNothing() throws Exception {
        configure(TUNNEL, Map.of("heartbeat_interval_seconds", 45));
        for (String property : new String[] {"heartbeat_interval_secs", "service.pid", "osgi.http.whiteboard.target"}) {
            InvalidValueException e = catchThrowableOfType(() -> configurations().update(TUNNEL,
                    Map.of("heartbeat_interval_seconds", 50, property, "x")), InvalidValueException.class);
            assertThat(e.code()).as(property).isEqualTo("unknown_property");
            assertThat(e.property()).isEqualTo(property);
        }
        assertThat(store.get(TUNNEL)).containsEntry("heartbeat_interval_seconds", 45);
        assertThat(writes).isZero();
    }

    @Test
    void nullRemovesAPropertySoItsDefaultApplies() throws Exception {
        configure(TUNNEL, Map.of("heartbeat_interval_seconds", 45, "mode", "fast"));
        Map<String, Object> changes = new HashMap<>();
        changes.put("mode", null);
        configurations().update(TUNNEL, changes);
        assertThat(store.get(TUNNEL)).doesNotContainKey("mode").containsEntry("heartbeat_interval_seconds", 45);
    }

    @Test
    void aPidNobodyKnowsIsNotFound() throws Exception {
        assertThat(configurations().one("io.edgeflow.nothing")).isNull();
        assertThat(configurations().update("io.edgeflow.nothing", Map.of("a", 1))).isNull();
        assertThat(configurations().one("org.apache.felix.http")).isNull();
        assertThat(store).doesNotContainKey("io.edgeflow.nothing");
    }
}
