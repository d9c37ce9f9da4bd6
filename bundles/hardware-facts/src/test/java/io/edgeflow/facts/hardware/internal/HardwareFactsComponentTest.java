package io.edgeflow.facts.hardware.internal;

import io.edgeflow.facts.fixtures.FixtureFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class HardwareFactsComponentTest {

    @Test
    void readsOncePerActivation() {
        HardwareFactsComponent component = new HardwareFactsComponent(FixtureFiles.root("raspberry-pi-3"),
                Fixtures.ARM64_JVM);
        assertThat(component.hardwareFacts()).isSameAs(component.hardwareFacts());
        assertThat(component.hardwareFacts().boardModel()).isEqualTo("Raspberry Pi 3 Model B Rev 1.2");
    }

    @Test
    void theRootMustBeAnAbsolutePath() {
        assertThat(HardwareFactsComponent.sysroot(" /srv/copy/ ")).isEqualTo(Path.of("/srv/copy"));
        assertThat(HardwareFactsComponent.sysroot("/")).isEqualTo(Path.of("/"));
        assertThatThrownBy(() -> HardwareFactsComponent.sysroot("copy")).hasMessageContaining("sysroot");
        assertThatThrownBy(() -> HardwareFactsComponent.sysroot("")).hasMessageContaining("sysroot");
        assertThatThrownBy(() -> HardwareFactsComponent.sysroot("/a\0b")).hasMessageContaining("sysroot");
    }
}
