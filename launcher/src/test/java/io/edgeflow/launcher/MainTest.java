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
    void javaVersionsTheLauncherCannotRunOnGetAClearMessage() {
        for (int ok = 17; ok <= 23; ok++) {
            assertThat(Main.unsupportedJava(ok)).as("Java " + ok).isNull();
        }
        assertThat(Main.unsupportedJava(24)).contains("Java 17 to 23").contains("Java 24");
        assertThat(Main.unsupportedJava(25)).contains("Java 25").contains("JAVA_HOME");
    }
}
