package io.edgeflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Version;

class LauncherStateTest {
    @Test
    void whatIsWrittenIsReadBackAndNoTemporaryFileStays(@TempDir Path dir) throws Exception {
        Map<String, LauncherState.Entry> entries = Map.of(
                "org.apache.felix.http.servlet-api", new LauncherState.Entry(Version.parseVersion("3.0.0"),
                        "A9madK0e5ccTNO9nQ39O9P40iMqnyW2GRavHPI4gF9Q=", 19, 1764771452848L),
                "io.edgeflow.vault", new LauncherState.Entry(Version.parseVersion("0.1.0.SNAPSHOT"), "x+/=", -1, -1));
        LauncherState.write(dir, entries);
        assertThat(LauncherState.read(dir)).isEqualTo(entries);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve(LauncherState.FILE));
        }
    }

    @Test
    void aMissingOrDamagedRecordReadsAsNoneOrSkipsTheDamagedLine(@TempDir Path dir) throws Exception {
        assertThat(LauncherState.read(dir)).isEmpty();
        Files.writeString(dir.resolve(LauncherState.FILE), "a=1.0.0;d;3;4\nb=not a record\nc=1.0.0;d;x;4\n");
        assertThat(LauncherState.read(dir)).containsOnlyKeys("a");
    }
}
