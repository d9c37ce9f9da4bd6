package io.edgeflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentDataDirectoryTest {
    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aNewDataDirectoryAndItsFrameworkStorageAreOwnerOnly(@TempDir Path parent) throws Exception {
        Path dir = parent.resolve("data");
        AgentDataDirectory held = AgentDataDirectory.open(dir, "framework");
        try {
            assertThat(mode(dir)).isEqualTo("rwx------");
            assertThat(mode(dir.resolve("framework"))).isEqualTo("rwx------");
            assertThat(mode(dir.resolve(AgentDataDirectory.LOCK_FILE))).isEqualTo("rw-------");
            assertThat(held.warnings()).isEmpty();
        } finally {
            held.release();
        }
    }

    @Test
    void anOpenDataDirectoryIsTightenedWithAWarning(@TempDir Path parent) throws Exception {
        Path dir = parent.resolve("data");
        Files.createDirectories(dir.resolve("framework/bundle1"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = dir.resolve("framework/bundle1/bundle.info");
        Files.writeString(file, "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Path notOurs = dir.resolve("notes.txt"); // an operator's file beside ours is left as it is
        Files.writeString(notOurs, "x");
        Files.setPosixFilePermissions(notOurs, PosixFilePermissions.fromString("rw-r--r--"));
        AgentDataDirectory held = AgentDataDirectory.open(dir, "framework");
        try {
            assertThat(mode(dir)).isEqualTo("rwx------");
            assertThat(mode(dir.resolve("framework/bundle1"))).isEqualTo("rwx------");
            assertThat(mode(file)).isEqualTo("rw-------");
            assertThat(mode(notOurs)).isEqualTo("rw-r--r--");
            assertThat(held.warnings()).hasSize(2);
            assertThat(held.warnings().get(0)).contains(dir.toString()).contains("0700");
        } finally {
            held.release();
        }
    }

    @Test
    void aSecondOwnerIsRefusedWithThePidOfTheFirst(@TempDir Path parent) throws Exception {
        Path dir = parent.resolve("data");
        AgentDataDirectory first = AgentDataDirectory.open(dir, "framework");
        try {
            assertThat(Files.readString(dir.resolve(AgentDataDirectory.LOCK_FILE)).strip())
                    .isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThatThrownBy(() -> AgentDataDirectory.open(dir, "framework"))
                    .isInstanceOf(AgentDataDirectory.HeldException.class)
                    .hasMessageContaining("PID " + ProcessHandle.current().pid())
                    .hasMessageContaining(dir.toString());
        } finally {
            first.release();
        }
        AgentDataDirectory again = AgentDataDirectory.open(dir, "framework");
        assertThat(again.locked()).isTrue();
        again.release();
    }
}
