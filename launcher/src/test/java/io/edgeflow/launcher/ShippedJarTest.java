package io.edgeflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import org.junit.jupiter.api.Test;

class ShippedJarTest {
    @Test
    void theBndrunsSystemCapabilitiesBecomeTheSystemBundlesExtraCapabilities() {
        Properties index = new Properties();
        index.setProperty("launch.system.capabilities", "osgi.extender;osgi.extender=\"osgi.serviceloader.processor\"");
        index.setProperty("launch.bundles", "jar/a.jar");
        index.setProperty("felix.cm.pm", "edgeflow-encrypted");

        // slf4j.api and slf4j-simple require a service loader mediator: without these capabilities they do not resolve
        assertThat(ShippedJar.runProperties(index))
                .containsEntry("org.osgi.framework.system.capabilities.extra",
                        "osgi.extender;osgi.extender=\"osgi.serviceloader.processor\"")
                .containsEntry("felix.cm.pm", "edgeflow-encrypted")
                .doesNotContainKey("launch.bundles");
    }

    @Test
    void extraCapabilitiesOfTheBndrunsOwnAreKept() {
        Properties index = new Properties();
        index.setProperty("launch.system.capabilities", "a;a=1");
        index.setProperty("org.osgi.framework.system.capabilities.extra", "b;b=2");

        assertThat(ShippedJar.runProperties(index)).containsEntry("org.osgi.framework.system.capabilities.extra",
                "b;b=2,a;a=1");
    }
}
