package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.api.provisioning.ProvisioningService;
import io.edgeflow.api.tunnel.TunnelService;
import io.edgeflow.api.tunnel.TunnelState;

/**
 * Each EdgeFlow bundle updated in turn on a provisioned device whose tunnel is online, as a remote update will
 * do: what does not depend on the updated bundle stays up (the tunnel keeps its connection, provisioning keeps
 * its service), and the device is online again afterwards whatever was updated.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundleUpdateIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /**
     * Config Admin's own persistence manager: while it is replaced, Felix Config Admin (started with
     * {@code felix.cm.pm}) goes away with it, and every configured component is deactivated until it is back.
     */
    private static final String CONFIGURATION_STORE = "io.edgeflow.config.encryption";
    /**
     * The bundles the tunnel depends on: itself, the vault (its key, and the DeviceIdentity it registers from
     * provisioning's confirmation), the cloud endpoint (the CloudEndpoint) and the configuration store. Not
     * provisioning: updating it keeps the tunnel's connection (docs/architecture.md, "Which way state flows").
     */
    private static final Set<String> TUNNEL_NEEDS = Set.of("io.edgeflow.tunnel", "io.edgeflow.vault",
            CONFIGURATION_STORE, "io.edgeflow.endpoint");
    /**
     * What provisioning depends on: itself, the vault and the configuration store. Its references to the cloud
     * endpoint are dynamic: an update of the endpoint rebinds them.
     */
    private static final Set<String> PROVISIONING_NEEDS = Set.of("io.edgeflow.provisioning", "io.edgeflow.vault",
            CONFIGURATION_STORE);

    @Inject
    private BundleContext context;

    private ReferenceCloud cloud;

    @Configuration
    public Option[] config() {
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(),
                EdgeFlowRuntime.newTestDirectory("bundle-update").resolve("absent.env"), Map.of());
    }

    @Before
    public void startCloud() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("bundle-update-cloud").resolve("cloud");
        cloud = ReferenceCloud.start(dir, 0, "--tunnel-idle-timeout", "10s");
        Hashtable<String, Object> tunnel = new Hashtable<>();
        tunnel.put("heartbeat_interval_seconds", 1);
        tunnel.put("backoff_base_ms", 100);
        tunnel.put("backoff_cap_seconds", 2);
        configAdmin().getConfiguration("io.edgeflow.tunnel", "?").update(tunnel);
    }

    @After
    public void stopCloud() throws Exception {
        configAdmin().getConfiguration("io.edgeflow.saas", "?").update(new Hashtable<>(Map.of("enabled", Boolean.FALSE)));
        cloud.close();
    }

    /** Config Admin as registered now: updating the configuration store replaces it. */
    private ConfigurationAdmin configAdmin() {
        return context.getService(context.getServiceReference(ConfigurationAdmin.class));
    }

    private String statusUrl() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port") + "/api/v1/saas/status";
    }

    private JsonNode awaitOnline() throws Exception {
        return Http.awaitStatus(statusUrl(), "online", s -> s.get("status").asText().equals("online"), PATIENCE);
    }

    /** @return the service's id, or null while none is registered */
    private Long serviceId(Class<?> type) {
        ServiceReference<?> ref = context.getServiceReference(type);
        return ref == null ? null : (Long) ref.getProperty(Constants.SERVICE_ID);
    }

    private TunnelState tunnel() {
        ServiceReference<TunnelService> ref = context.getServiceReference(TunnelService.class);
        if (ref == null) {
            return null;
        }
        try {
            TunnelService service = context.getService(ref);
            return service == null ? null : service.state();
        } finally {
            context.ungetService(ref);
        }
    }

    /** Refreshes the bundle and what depends on it, and waits until the framework says it is done. */
    private void refresh(Bundle bundle) throws InterruptedException {
        CountDownLatch refreshed = new CountDownLatch(1);
        context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class)
                .refreshBundles(List.of(bundle), event -> refreshed.countDown());
        assertTrue("the refresh after updating " + bundle.getSymbolicName() + " ended",
                refreshed.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    public void updatingABundleDisturbsOnlyWhatDependsOnIt() throws Exception {
        Map<String, Object> saas = new HashMap<>();
        saas.put("enabled", Boolean.TRUE);
        saas.put("url", cloud.url());
        saas.put("ca_file", cloud.caFile().toString());
        saas.put("retry_initial_delay_ms", 100);
        saas.put("retry_max_delay_seconds", 1);
        saas.put(".provisioning_code", cloud.createCode(3600));
        configAdmin().getConfiguration("io.edgeflow.saas", "?").update(new Hashtable<>(saas));
        String deviceId = awaitOnline().get("device_id").asText();

        List<String> updated = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            String bsn = bundle.getSymbolicName();
            if (bsn == null || !bsn.startsWith("io.edgeflow.") || bsn.equals("io.edgeflow.api")) {
                continue;
            }
            TunnelState before = tunnel();
            assertNotNull("a tunnel before updating " + bsn, before);
            Instant connection = before.connectedSince();
            Long tunnelService = serviceId(TunnelService.class);
            Long provisioningService = serviceId(ProvisioningService.class);

            bundle.update(); // re-reads the bundle from its location, as a remote update does
            boolean fragment = bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (fragment) {
                // io.edgeflow.slf4j.binding, a fragment of slf4j.api: its new revision takes effect when its host is
                // refreshed, and with slf4j.api every bundle that logs restarts (as after an update of slf4j.api)
                refresh(bundle);
                assertEquals(bsn, Bundle.RESOLVED, bundle.getState());
                Http.await(statusUrl(), 200, PATIENCE); // the HTTP bundle logs too: its server restarted
            } else {
                assertEquals(bsn, Bundle.ACTIVE, bundle.getState());
            }
            JsonNode status = awaitOnline();
            assertEquals("the same device after updating " + bsn, deviceId, status.get("device_id").asText());
            if (fragment) {
                updated.add(bsn);
                continue;
            }
            if (!TUNNEL_NEEDS.contains(bsn)) {
                assertEquals("updating " + bsn + " leaves the tunnel component alone", tunnelService,
                        serviceId(TunnelService.class));
                assertEquals("updating " + bsn + " keeps the tunnel's connection", connection,
                        tunnel().connectedSince());
            }
            if (!PROVISIONING_NEEDS.contains(bsn)) {
                assertEquals("updating " + bsn + " leaves provisioning alone", provisioningService,
                        serviceId(ProvisioningService.class));
            }
            updated.add(bsn);
        }
        assertTrue("the EdgeFlow bundles were updated: " + updated, updated.containsAll(List.of("io.edgeflow.tunnel",
                "io.edgeflow.provisioning", "io.edgeflow.endpoint", "io.edgeflow.vault", "io.edgeflow.localapi",
                "io.edgeflow.slf4j.binding")));
        assertEquals("one registration for all of it", 1, cloud.registrations(
                String.valueOf(saas.get(".provisioning_code"))).size());
    }
}
