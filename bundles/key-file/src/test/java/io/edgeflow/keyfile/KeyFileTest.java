package io.edgeflow.keyfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {
    @TempDir
    Path dir;

    @Test
    void aKeyIsCreatedOnceOwnerOnlyAndReadBackUnchanged() throws IOException {
        Path file = dir.resolve("keys/secret.key");
        byte[] first = KeyFile.readOrCreate(file, 32, new SecureRandom());
        byte[] again = KeyFile.readOrCreate(file, 32, new SecureRandom());
        assertThat(first).hasSize(32).isEqualTo(again);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        try (var left = Files.list(file.getParent())) {
            assertThat(left).containsExactly(file);
        }
    }

    @Test
    void aKeyFileOthersCanReadIsTightened() throws IOException {
        Path file = dir.resolve("secret.key");
        Files.write(file, new byte[16]);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        KeyFile.readOrCreate(file, 16, new SecureRandom());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aFileOfTheWrongLengthIsRefusedAndKept() throws IOException {
        Path file = dir.resolve("secret.key");
        Files.write(file, new byte[16]);
        assertThatThrownBy(() -> KeyFile.readOrCreate(file, 32, new SecureRandom()))
                .isInstanceOf(IOException.class).hasMessageContaining("holds 16 bytes, not a 32-byte key");
        assertThat(Files.size(file)).isEqualTo(16);
    }
}
