package io.edgeflow.facts.network.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkFactsComponentTest {

    @Test
    void aReadingIsReusedForTheCacheTimeAndThenRenewed(@TempDir Path root) throws IOException {
        Path hostname = root.resolve("proc/sys/kernel/hostname");
        Files.createDirectories(hostname.getParent());
        Files.writeString(hostname, "first\n");
        AtomicLong now = new AtomicLong(1_000);
        NetworkFactsComponent component = new NetworkFactsComponent(Fixtures.fromFiles(root), 5, now::get);

        assertThat(component.networkFacts().hostname()).isEqualTo("first");
        Files.writeString(hostname, "second\n");
        now.addAndGet(4_999_999_999L);
        assertThat(component.networkFacts().hostname()).isEqualTo("first");
        now.addAndGet(1);
        assertThat(component.networkFacts().hostname()).isEqualTo("second");
    }

    @Test
    void aCacheTimeOfZeroReadsEveryTime(@TempDir Path root) throws IOException {
        Path hostname = root.resolve("proc/sys/kernel/hostname");
        Files.createDirectories(hostname.getParent());
        Files.writeString(hostname, "first\n");
        NetworkFactsComponent component = new NetworkFactsComponent(Fixtures.fromFiles(root), 0, () -> 7);
        assertThat(component.networkFacts().hostname()).isEqualTo("first");
        Files.writeString(hostname, "second\n");
        assertThat(component.networkFacts().hostname()).isEqualTo("second");
    }

    @Test
    void configurationValuesAreChecked() {
        assertThat(NetworkFactsComponent.sysroot("/srv/copy/")).isEqualTo(Path.of("/srv/copy"));
        assertThatThrownBy(() -> NetworkFactsComponent.sysroot("srv")).hasMessageContaining("sysroot");
        assertThat(NetworkFactsComponent.cacheSeconds(0)).isZero();
        assertThatThrownBy(() -> NetworkFactsComponent.cacheSeconds(-1)).hasMessageContaining("cache_seconds");
        assertThatThrownBy(() -> NetworkFactsComponent.cacheSeconds(3601)).hasMessageContaining("cache_seconds");
    }

    @Test
    void aCacheTimeOutOfRangeIsRefusedTheDefaultAppliesAndTheProblemIsPublished() {
        NetworkFactsComponent refused = new NetworkFactsComponent(NetworkFactsComponent.collector(Path.of("/")), -7,
                System::nanoTime);
        assertThat(refused.problems()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo("invalid_configuration");
            assertThat(e.message()).isEqualTo("io.edgeflow.facts.network: cache_seconds = -7 is out of range (0..3600); "
                    + "running with 5");
        });
        assertThat(new NetworkFactsComponent(NetworkFactsComponent.collector(Path.of("/")), 0, System::nanoTime)
                .problems()).isEmpty();
    }
}
