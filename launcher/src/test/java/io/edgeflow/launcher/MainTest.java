package io.edgeflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @Test
    void theEnvironmentWinsOverTheEnvFile(@TempDir Path dir) throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, "EDGEFLOW_DATA_DIR=/from/file\n");
        assertThat(Main.dataDirectory(Map.of("EDGEFLOW_ENV_FILE", env.toString(), "EDGEFLOW_DATA_DIR", "/from/env")))
                .isEqualTo(Path.of("/from/env"));
        assertThat(Main.dataDirectory(Map.of("EDGEFLOW_ENV_FILE", env.toString()))).isEqualTo(Path.of("/from/file"));
    }

    @Test
    void theDefaultIsVarLibEdgeflow(@TempDir Path dir) {
        assertThat(Main.dataDirectory(Map.of("EDGEFLOW_ENV_FILE", dir.resolve("absent").toString())))
                .isEqualTo(Path.of("/var/lib/edgeflow"));
    }

    @Test
    void aRelativePathIsRefusedWithTheSourceNamed(@TempDir Path dir) throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, "EDGEFLOW_DATA_DIR=data\n");
        assertThatThrownBy(() -> Main.dataDirectory(Map.of("EDGEFLOW_ENV_FILE", env.toString())))
                .hasMessageContaining(env.toString()).hasMessageContaining("absolute path");
    }

    @Test
    void theBndrunsPropertiesReachTheFrameworkAndASystemPropertyOverridesOne(@TempDir Path dir) {
        String name = "edgeflow.test." + System.nanoTime();
        System.setProperty(name + ".set", "from -D");
        try {
            Map<String, String> properties = Main.frameworkProperties(Map.of(name + ".set", "from the bndrun",
                    name + ".unset", "from the bndrun"), dir);
            assertThat(properties).containsEntry(name + ".set", "from -D")
                    .containsEntry(name + ".unset", "from the bndrun")
                    .containsEntry("org.osgi.framework.storage", dir.resolve("framework").toString())
                    .containsEntry("org.osgi.framework.storage.clean", "none")
                    .containsEntry("edgeflow.data.dir", dir.toString());
            // slf4j-simple reads its settings from system properties, as with bnd's launcher
            assertThat(System.getProperty(name + ".unset")).isEqualTo("from the bndrun");
        } finally {
            System.clearProperty(name + ".set");
            System.clearProperty(name + ".unset");
        }
    }
}
