package io.edgeflow.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

class BundlesServletTest {
    private static Bundle bundle(String name, String location) {
        return (Bundle) Proxy.newProxyInstance(BundlesServletTest.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getBundleId" -> 42L;
                    case "getSymbolicName" -> name;
                    case "getVersion" -> Version.parseVersion("1.2.3");
                    case "getState" -> Bundle.RESOLVED;
                    case "getLocation" -> location;
                    default -> null;
                });
    }

    @Test
    void describesABundleAndNeverShowsAPasswordInItsLocation() {
        Map<String, Object> json = BundlesServlet.toJson(bundle("io.edgeflow.tunnel",
                "https://deploy:s3cret-pw@repo.example/tunnel.jar"), new BundleDigests.Digest("ab".repeat(32),
                        BundleDigests.Source.STORAGE));
        assertThat(json).containsEntry("id", 42L).containsEntry("symbolic_name", "io.edgeflow.tunnel")
                .containsEntry("version", "1.2.3").containsEntry("state", "RESOLVED").containsEntry("edgeflow", true)
                .containsEntry("sha256", "ab".repeat(32)).containsEntry("sha256_source", "framework_storage")
                .containsEntry("location", "https://deploy:****@repo.example/tunnel.jar");
        Map<String, Object> other = BundlesServlet.toJson(bundle("org.apache.felix.scr", "edgeflow:x"), null);
        assertThat(other).containsEntry("edgeflow", false).containsEntry("sha256", null)
                .containsEntry("location", "edgeflow:x");
    }
}
