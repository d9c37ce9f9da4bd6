package io.edgeflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeflow.api.vault.DataDirectory;

import org.junit.jupiter.api.Test;

/** The launcher cannot compile against the API (it only ships it), so it keeps its own copy of the default. */
class DefaultDataDirectoryTest {
    @Test
    void theLaunchersDefaultIsTheApis() {
        assertThat(Main.DEFAULT_DATA_DIR).isEqualTo(DataDirectory.DEFAULT_PATH);
    }
}
