package io.edgeflow.kuradp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.FrameworkWiring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.kuradp.DeploymentPackageWriter.BundleFile;

/**
 * The deployment package in a gateway's framework, through Apache Felix Deployment Admin 0.9.6, step by step as an
 * operator lives it: install the built {@code edgeflow-<version>.dp}; upgrade to a newer package; try two broken
 * packages, which Deployment Admin refuses and rolls back; uninstall. The gateway is Felix with what a gateway
 * already runs (see {@link Gateway}); Eclipse Kura installs packages through the same OSGi Deployment Admin API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeploymentPackageIT {
    private static final String DEPLOYMENT_ADMIN = "org.osgi.service.deploymentadmin.DeploymentAdmin";
    private static final String DEPLOYMENT_PACKAGE = "org.osgi.service.deploymentadmin.DeploymentPackage";
    private static final String BUNDLE_INFO = "org.osgi.service.deploymentadmin.BundleInfo";
    private static final String STATUS = "/api/v1/saas/status";
    private static final String SAAS_PID = "io.edgeflow.saas";
    private static final String SAAS_URL = "cloud.dp-test.example:8443";
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    /** Re-versioned in the newer package: the API (exporter of every package the others import) and the local API. */
    private static final List<String> REVERSIONED = List.of("io.edgeflow.api", "io.edgeflow.localapi");

    private final ObjectMapper json = new ObjectMapper();
    private final Path built = Path.of(System.getProperty("edgeflow.dp.file"));
    private Path dir;
    private Gateway gateway;
    private Gateway.Service deploymentAdmin;
    /** Bundle symbolic name -> version, as the built package's manifest declares them. */
    private Map<String, Version> first;
    private Map<String, Version> second;
    private Path newer;

    @BeforeAll
    void startGateway() throws Exception {
        assertThat(built).as("the package the build made (mvn package in packaging/kura-dp)").isRegularFile();
        Path root = Path.of(System.getProperty("edgeflow.dp.itest.dir", "target/dp-it"));
        Files.createDirectories(root);
        dir = Files.createTempDirectory(root, "run-");
        List<Path> bundles = Arrays.stream(System.getProperty("edgeflow.dp.gateway").split(","))
                .map(String::strip).map(Path::of).toList();
        gateway = Gateway.start(dir.resolve("gateway"), bundles);
        deploymentAdmin = gateway.service(DEPLOYMENT_ADMIN, PATIENCE);
        first = declaredBundles(built);
    }

    @AfterAll
    void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void installsAndServes() throws Exception {
        assertThat(ours()).as("none of our bundles before the install").isEmpty();

        Object dp = install(built);

        assertThat(Gateway.call(dp, DEPLOYMENT_PACKAGE, "getName")).isEqualTo("io.edgeflow");
        assertThat(first).containsKeys("io.edgeflow.api", "io.edgeflow.localapi", "io.edgeflow.provisioning",
                "com.fasterxml.jackson.core.jackson-core");
        assertRunning(first);
        System.out.println("Installed " + describe(dp));
        printBundles();

        HttpResponse<String> status = awaitStatus();
        System.out.println("GET " + STATUS + " -> " + status.statusCode() + " " + status.body());
        HttpResponse<String> unknown = gateway.get("/api/v1/no-such-endpoint");
        System.out.println("GET /api/v1/no-such-endpoint -> " + unknown.statusCode() + " " + unknown.body());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(json.readTree(unknown.body()).path("error").asText()).isEqualTo("not_found");
    }

    @Test
    @Order(2)
    void upgradesToANewerPackageKeepingSettings() throws Exception {
        Hashtable<String, Object> saas = new Hashtable<>();
        saas.put("url", SAAS_URL);
        gateway.configure(SAAS_PID, saas);
        gateway.await("the status shows the configured cloud", PATIENCE,
                () -> SAAS_URL.equals(statusJson().path("saas_url").asText()));

        newer = dir.resolve("edgeflow-newer.dp");
        second = writeNewer(built, newer, dir.resolve("newer"));
        List<Long> idsBefore = ids();

        Object dp = install(newer);

        assertThat(Gateway.call(dp, DEPLOYMENT_PACKAGE, "getVersion")).isEqualTo(packageVersion(newer));
        for (String bsn : REVERSIONED) {
            assertThat(second.get(bsn)).as(bsn).isGreaterThan(first.get(bsn));
        }
        assertRunning(second);
        assertThat(ids()).as("updated in place: the same bundles, no second copy").isEqualTo(idsBefore);
        assertThat(gateway.context().getBundle(0).adapt(FrameworkWiring.class).getRemovalPendingBundles())
                .as("no old bundle revision left behind (Deployment Admin refreshed)").isEmpty();
        assertThat(packages()).as("one package installed, the newer").hasSize(1);
        System.out.println("Upgraded to " + describe(dp));
        printBundles();

        assertThat(gateway.configured(SAAS_PID, "url")).as("the setting in Config Admin").isEqualTo(SAAS_URL);
        HttpResponse<String> status = awaitStatus();
        assertThat(json.readTree(status.body()).path("saas_url").asText()).as("the running agent's setting")
                .isEqualTo(SAAS_URL);
        System.out.println("GET " + STATUS + " -> " + status.statusCode() + " " + status.body());
    }

    @Test
    @Order(3)
    void refusesAPackageWithABundleMissingAndRollsBack() throws Exception {
        // a third version that updates the re-versioned bundles again, but whose last bundle never comes: Deployment
        // Admin has updated the first ones when it notices, and must put them back
        Path parts = dir.resolve("third");
        List<BundleFile> bundles = reversioned(newer, parts, "third");
        Path broken = dir.resolve("edgeflow-missing-bundle.dp");
        Version version = bump(packageVersion(newer));
        DeploymentPackageWriter.write(broken,
                DeploymentPackageWriter.manifest("io.edgeflow", version.toString(), bundles),
                bundles.subList(0, bundles.size() - 1));

        List<String> updated = new CopyOnWriteArrayList<>();
        BundleListener listener = e -> {
            if (e.getType() == BundleEvent.UPDATED) {
                updated.add(e.getBundle().getSymbolicName());
            }
        };
        gateway.context().addBundleListener(listener);
        try {
            assertRefused(broken, 463); // CODE_OTHER_ERROR: "Expected more bundles in the stream"
        } finally {
            gateway.context().removeBundleListener(listener);
        }
        assertThat(updated).as("Deployment Admin updated the API bundle, then rolled it back")
                .containsSubsequence("io.edgeflow.api", "io.edgeflow.api");
    }

    @Test
    @Order(4)
    void refusesAPackageWithABadManifest() throws Exception {
        Path broken = dir.resolve("edgeflow-bad-manifest.dp");
        List<BundleFile> bundles = extract(newer, dir.resolve("bad"));
        Map<String, Map<String, String>> manifest = DeploymentPackageWriter.manifest("io.edgeflow",
                bump(packageVersion(newer)).toString(), bundles);
        manifest.get("").remove("DeploymentPackage-SymbolicName");
        DeploymentPackageWriter.write(broken, manifest, bundles);

        assertRefused(broken, 451); // CODE_MISSING_HEADER
    }

    @Test
    @Order(5)
    void uninstallsLeavingNothing() throws Exception {
        Object dp = packages().get(0);
        Gateway.call(dp, DEPLOYMENT_PACKAGE, "uninstall");

        assertThat(packages()).isEmpty();
        assertThat(ours()).as("our bundles after the uninstall").isEmpty();
        assertThat(gateway.context().getBundle(0).adapt(FrameworkWiring.class).getRemovalPendingBundles()).isEmpty();
        HttpResponse<String> after = gateway.await("the gateway's HTTP server no longer serves our API", PATIENCE,
                () -> {
                    HttpResponse<String> response = gateway.get(STATUS);
                    return response.statusCode() == 404 && !response.body().contains("saas_url")
                            && !response.body().contains("\"error\"") ? response : null;
                });
        System.out.println("After uninstall: GET " + STATUS + " -> " + after.statusCode() + " "
                + after.headers().firstValue("Content-Type").orElse("(no type)"));
        printBundles();
    }

    // ------------------------------------------------------------------------------------------------- steps

    private Object install(Path dp) throws Exception {
        try (InputStream in = Files.newInputStream(dp)) {
            return deploymentAdmin.call("installDeploymentPackage", in);
        }
    }

    private void assertRefused(Path broken, int code) throws Exception {
        Map<String, Version> before = versions();
        Object installed = packages().get(0);
        Version installedVersion = (Version) Gateway.call(installed, DEPLOYMENT_PACKAGE, "getVersion");

        assertThatThrownBy(() -> install(broken))
                .satisfies(e -> {
                    assertThat(e.getClass().getName()).isEqualTo("org.osgi.service.deploymentadmin.DeploymentException");
                    Object actual = Gateway.call(e, "org.osgi.service.deploymentadmin.DeploymentException", "getCode");
                    System.out.println("Refused " + broken.getFileName() + ": code " + actual + ", " + e.getMessage());
                    assertThat(actual).isEqualTo(code);
                });

        assertThat(packages()).hasSize(1);
        assertThat(Gateway.call(packages().get(0), DEPLOYMENT_PACKAGE, "getVersion")).isEqualTo(installedVersion);
        assertThat(versions()).as("every bundle back at its version").isEqualTo(before);
        assertRunning(second);
        // Felix Deployment Admin 0.9.6 rolls an updated bundle back with Bundle.update and no refresh: the bundles
        // that import from it keep running on the revision they were wired to, and the next install, uninstall or
        // restart refreshes the rest (docs/kura.md, "Upgrade")
        awaitStatus();
    }

    /** Every declared bundle installed once, at its declared version, ACTIVE; and no other bundle of ours. */
    private void assertRunning(Map<String, Version> declared) {
        Map<String, Version> running = new TreeMap<>();
        for (Bundle bundle : ours()) {
            assertThat(bundle.getState()).as(bundle.getSymbolicName() + " state").isEqualTo(Bundle.ACTIVE);
            assertThat(running.put(bundle.getSymbolicName(), bundle.getVersion()))
                    .as(bundle.getSymbolicName() + " installed twice").isNull();
        }
        assertThat(running).isEqualTo(new TreeMap<>(declared));
    }

    private HttpResponse<String> awaitStatus() {
        HttpResponse<String> status = gateway.await("GET " + STATUS + " answers 200 with JSON", PATIENCE, () -> {
            HttpResponse<String> response = gateway.get(STATUS);
            return response.statusCode() == 200 ? response : null;
        });
        assertThat(status.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        try {
            assertThat(json.readTree(status.body()).path("status").asText()).isEqualTo("disabled");
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + status.body(), e);
        }
        return status;
    }

    private JsonNode statusJson() {
        try {
            return json.readTree(gateway.get(STATUS).body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------- what is installed

    /** Our bundles: those that came in a package, recognised by what the built package declares. */
    private List<Bundle> ours() {
        return gateway.bundles().stream().filter(b -> first.containsKey(b.getSymbolicName())).toList();
    }

    private Map<String, Version> versions() {
        return ours().stream().collect(Collectors.toMap(Bundle::getSymbolicName, Bundle::getVersion,
                (a, b) -> a, TreeMap::new));
    }

    private List<Long> ids() {
        return ours().stream().map(Bundle::getBundleId).sorted().toList();
    }

    private List<Object> packages() throws Exception {
        return Arrays.asList((Object[]) deploymentAdmin.call("listDeploymentPackages"));
    }

    private String describe(Object dp) throws Exception {
        StringBuilder text = new StringBuilder();
        text.append(Gateway.call(dp, DEPLOYMENT_PACKAGE, "getName")).append(' ')
                .append(Gateway.call(dp, DEPLOYMENT_PACKAGE, "getVersion")).append(':');
        for (Object info : (Object[]) Gateway.call(dp, DEPLOYMENT_PACKAGE, "getBundleInfos")) {
            text.append(' ').append(Gateway.call(info, BUNDLE_INFO, "getSymbolicName")).append('/')
                    .append(Gateway.call(info, BUNDLE_INFO, "getVersion"));
        }
        return text.toString();
    }

    private void printBundles() {
        for (Bundle bundle : gateway.bundles()) {
            System.out.printf("  %3d %-8s %s %s%n", bundle.getBundleId(), state(bundle.getState()),
                    bundle.getSymbolicName(), bundle.getVersion());
        }
    }

    private static String state(int state) {
        return switch (state) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> Integer.toString(state);
        };
    }

    // ------------------------------------------------------------------------------------------ making packages

    /** The bundles a package's manifest declares, in order. */
    private static Map<String, Version> declaredBundles(Path dp) throws IOException {
        Map<String, Version> declared = new LinkedHashMap<>();
        try (JarInputStream in = new JarInputStream(Files.newInputStream(dp))) {
            Manifest manifest = in.getManifest();
            assertThat(manifest).as("the manifest is the package's first entry").isNotNull();
            manifest.getEntries().forEach((name, attributes) -> declared.put(
                    attributes.getValue("Bundle-SymbolicName"), Version.parseVersion(attributes.getValue("Bundle-Version"))));
        }
        return declared;
    }

    private static Version packageVersion(Path dp) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(dp))) {
            return Version.parseVersion(in.getManifest().getMainAttributes().getValue("DeploymentPackage-Version"));
        }
    }

    private static Version bump(Version version) {
        return new Version(version.getMajor(), version.getMinor(), version.getMicro() + 1, version.getQualifier());
    }

    /** The bundles of a package, extracted in its order. */
    private static List<BundleFile> extract(Path dp, Path into) throws IOException {
        Files.createDirectories(into);
        List<BundleFile> bundles = new ArrayList<>();
        try (JarInputStream in = new JarInputStream(Files.newInputStream(dp))) {
            for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                Path file = into.resolve(entry.getName());
                Files.copy(in, file);
                bundles.add(BundleFile.of(file));
            }
        }
        return bundles;
    }

    /**
     * The package's bundles, with those in {@link #REVERSIONED} given a higher micro version and the qualifier
     * {@code tag} in their manifest, and nothing else changed (their code stays the built code).
     */
    private static List<BundleFile> reversioned(Path dp, Path into, String tag) throws IOException {
        List<BundleFile> bundles = new ArrayList<>();
        for (BundleFile bundle : extract(dp, into)) {
            if (!REVERSIONED.contains(bundle.symbolicName())) {
                bundles.add(bundle);
                continue;
            }
            Version old = Version.parseVersion(bundle.version());
            Version higher = new Version(old.getMajor(), old.getMinor(), old.getMicro() + 1, tag);
            Path copy = into.resolve(bundle.symbolicName() + "_" + higher + ".jar");
            try (JarInputStream in = new JarInputStream(Files.newInputStream(bundle.file()));
                    OutputStream file = Files.newOutputStream(copy)) {
                Manifest manifest = new Manifest(in.getManifest());
                manifest.getMainAttributes().putValue("Bundle-Version", higher.toString());
                try (JarOutputStream out = new JarOutputStream(file, manifest)) {
                    for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                        out.putNextEntry(new JarEntry(entry.getName()));
                        in.transferTo(out);
                        out.closeEntry();
                    }
                }
            }
            bundles.add(BundleFile.of(copy));
        }
        return bundles;
    }

    /** The newer package: the built one with a higher package version and {@link #REVERSIONED} re-versioned. */
    private static Map<String, Version> writeNewer(Path built, Path newer, Path parts) throws IOException {
        List<BundleFile> bundles = reversioned(built, parts, "second");
        DeploymentPackageWriter.write(newer,
                DeploymentPackageWriter.manifest("io.edgeflow", bump(packageVersion(built)).toString(), bundles),
                bundles);
        return declaredBundles(newer);
    }
}
