package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * A bundle that the cloud updates (a new version through {@link Bundle#update}, as the update bundle does it) keeps
 * its configuration: Declarative Services activates the new revision's component with the properties Config Admin
 * holds for its PIDs. Checked for every EdgeFlow bundle a deployment may replace that has a configuration of its own,
 * the update bundle itself included. No {@code io.edgeflow.agent} configuration exists here (the environment file is
 * absent), as on an agent started without {@code EDGEFLOW_DATA_DIR}: the case where Felix SCR 2.2.18 dropped the
 * configuration of a component's second PID (docs/updates-device.md).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class UpdatedBundleConfigurationIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String MARKER = "itest.marker";
    private static final AtomicInteger NEXT = new AtomicInteger(100);

    @Inject
    private BundleContext context;
    @Inject
    private ConfigurationAdmin configAdmin;
    @Inject
    private ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() {
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(),
                EdgeFlowRuntime.newTestDirectory("updated-configuration").resolve("absent.env"), Map.of());
    }

    @Test
    public void theUpdateBundleKeepsItsTrustedKeysAcrossItsUpdate() throws Exception {
        String key = UpdateArtifacts.publicKey(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
        Hashtable<String, Object> values = new Hashtable<>();
        values.put("trusted_keys", new String[] {key});
        values.put("health_timeout_seconds", 42);
        String component = "io.edgeflow.update.internal.UpdateComponent";

        keepsConfigurationAcrossUpdate("io.edgeflow.update", "io.edgeflow.update", component, values);

        Map<String, Object> properties = properties(component);
        assertEquals(42, properties.get("health_timeout_seconds"));
        assertEquals(key, ((String[]) properties.get("trusted_keys"))[0]);
    }

    @Test
    public void theVaultKeepsItsConfigurationAcrossItsUpdate() throws Exception {
        keepsConfigurationAcrossUpdate("io.edgeflow.vault", "io.edgeflow.vault",
                "io.edgeflow.vault.internal.FileCredentialVault", new Hashtable<>());
    }

    @Test
    public void theHardwareFactsKeepTheirConfigurationAcrossTheirUpdate() throws Exception {
        keepsConfigurationAcrossUpdate("io.edgeflow.facts.hardware", "io.edgeflow.facts.hardware",
                "io.edgeflow.facts.hardware.internal.HardwareFactsComponent", new Hashtable<>());
    }

    @Test
    public void theTunnelKeepsItsConfigurationAcrossItsUpdate() throws Exception {
        keepsConfigurationAcrossUpdate("io.edgeflow.tunnel", "io.edgeflow.tunnel",
                "io.edgeflow.tunnel.internal.TunnelComponent", new Hashtable<>());
    }

    @Test
    public void theInventoryKeepsItsConfigurationAcrossItsUpdate() throws Exception {
        keepsConfigurationAcrossUpdate("io.edgeflow.inventory", "io.edgeflow.localapi",
                "io.edgeflow.inventory.internal.BundlesServlet", new Hashtable<>());
    }

    /**
     * Configures {@code pid} with {@code values} and a marker, waits until the component has them, updates the bundle
     * to a new version of the jar it was installed from, and waits until the new revision's component has them too.
     */
    private void keepsConfigurationAcrossUpdate(String symbolicName, String pid, String component,
            Hashtable<String, Object> values) throws Exception {
        String marker = symbolicName + "-" + NEXT.incrementAndGet();
        org.osgi.service.cm.Configuration configuration = configAdmin.getConfiguration(pid, "?");
        Dictionary<String, Object> properties = configuration.getProperties();
        Hashtable<String, Object> merged = new Hashtable<>();
        if (properties != null) {
            properties.keys().asIterator().forEachRemaining(k -> merged.put(k, properties.get(k)));
        }
        merged.putAll(values);
        merged.put(MARKER, marker);
        configuration.update(merged);
        awaitMarker(component, marker, "before the update");

        Bundle bundle = bundle(symbolicName);
        Version before = bundle.getVersion();
        String version = new Version(before.getMajor(), before.getMinor(), before.getMicro() + NEXT.incrementAndGet())
                .toString();
        bundle.update(new ByteArrayInputStream(UpdateArtifacts.withVersion(shippedJar(symbolicName), version)));

        assertEquals(version, bundle(symbolicName).getVersion().toString());
        awaitMarker(component, marker, "after the update to " + version);
    }

    private void awaitMarker(String component, String marker, String when) throws InterruptedException {
        Http.awaitTrue(component + " configured with " + MARKER + "=" + marker + " " + when, PATIENCE,
                () -> marker.equals(properties(component).get(MARKER)));
    }

    /** @return the properties of the component's (single) configuration, empty while it has none */
    private Map<String, Object> properties(String component) {
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (description.name.equals(component)) {
                for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                    return configuration.properties;
                }
            }
        }
        return Map.of();
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(symbolicName + " is not installed");
    }

    /** @return the jar of a bundle the agent ships (the file the test runtime installed it from) */
    private static byte[] shippedJar(String name) throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("edgeflow.itest.dir", "target/itest"))
                .resolve("bundles"))) {
            Path jar = files.filter(p -> p.getFileName().toString().startsWith(name + "-0")).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + name + " jar in the test's bundles"));
            return Files.readAllBytes(jar);
        }
    }
}
