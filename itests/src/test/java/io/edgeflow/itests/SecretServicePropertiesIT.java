package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Array;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Secrets configured through Config Admin (as a console does) never reach the service registry, where a
 * console's Services page shows every property of every service.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SecretServicePropertiesIT {
    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(),
                EdgeFlowRuntime.newTestDirectory("registry").resolve("absent.env"), Map.of());
    }

    /** Every property value of every service, as text, with the service's classes. */
    private List<String> registry() throws Exception {
        List<String> all = new ArrayList<>();
        ServiceReference<?>[] references = context.getAllServiceReferences(null, null);
        for (ServiceReference<?> reference : references) {
            for (String key : reference.getPropertyKeys()) {
                Object value = reference.getProperty(key);
                StringBuilder text = new StringBuilder();
                if (value != null && value.getClass().isArray()) {
                    for (int i = 0; i < Array.getLength(value); i++) {
                        text.append(Array.get(value, i)).append(' ');
                    }
                } else if (value instanceof Collection<?> c) {
                    c.forEach(v -> text.append(v).append(' '));
                } else {
                    text.append(value);
                }
                all.add(reference.getProperty("objectClass") instanceof String[] classes ? String.join(",", classes)
                        + " " + key + "=" + text : key + "=" + text);
            }
        }
        return all;
    }

    private void awaitRegistry(String what, java.util.function.Predicate<List<String>> condition) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!condition.test(registry())) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within 30 s: " + what + "\n" + String.join("\n", registry()));
            }
            Thread.sleep(100);
        }
    }

    @Test
    public void theTokenTheCodeAndTheProxyPasswordAreNotServiceProperties() throws Exception {
        int port = Integer.parseInt(context.getProperty("org.osgi.service.http.port"));
        int nowhere = EdgeFlowRuntime.freePort();
        String token = "tok-" + UUID.randomUUID();
        String proxyPassword = "pxw-" + UUID.randomUUID();
        String code = "PROV-7K3M-9QXZ";
        String proxy = "http://edge@127.0.0.1:" + nowhere;
        Http.await("http://127.0.0.1:" + port + "/api/v1/saas/status", 200, Duration.ofSeconds(30));

        org.osgi.service.cm.Configuration localApi = configAdmin.getConfiguration("io.edgeflow.localapi", "?");
        org.osgi.service.cm.Configuration saas = configAdmin.getConfiguration("io.edgeflow.saas", "?");
        try {
            Hashtable<String, Object> api = new Hashtable<>();
            api.put(".api_token", token);
            localApi.update(api);
            Hashtable<String, Object> link = new Hashtable<>();
            link.put("enabled", Boolean.TRUE);
            link.put("url", "127.0.0.1:" + nowhere);
            link.put("proxy", proxy);
            link.put(".proxy_password", proxyPassword);
            link.put(".provisioning_code", code);
            saas.update(link);

            // the configurations are in force: the token is asked for, the proxy address is on the service
            String url = "http://127.0.0.1:" + port + "/api/v1/saas/provision";
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (Http.send("POST", url, "{}", "application/json").statusCode() != 401) {
                assertTrue("the token never took effect", Instant.now().isBefore(deadline));
                Thread.sleep(100);
            }
            awaitRegistry("the SaaS configuration on the provisioning service",
                    all -> all.stream().anyMatch(p -> p.endsWith("proxy=" + proxy)));

            for (String property : registry()) {
                for (String secret : List.of(token, proxyPassword, code, "7K3M")) {
                    assertFalse("a service property shows a secret: " + property, property.contains(secret));
                }
            }
            assertEquals(401, Http.send("POST", url, "{}", "application/json").statusCode());
        } finally {
            localApi.delete();
            saas.delete();
        }
    }
}
