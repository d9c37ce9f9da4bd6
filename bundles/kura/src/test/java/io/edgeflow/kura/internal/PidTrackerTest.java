package io.edgeflow.kura.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;

class PidTrackerTest {
    private final List<Dictionary<String, Object>> registered = new ArrayList<>();
    private final List<String> closed = new ArrayList<>();

    private PidTracker tracker(Map<Bundle, org.osgi.service.metatype.MetaTypeInformation> metatypes) {
        return new PidTracker(Fakes.metaTypeService(metatypes), properties -> {
            registered.add(properties);
            return () -> closed.add((String) properties.get(Constants.SERVICE_PID));
        });
    }

    @Test
    void onlyPidsWhoseMetatypeKuraCanReadAreListed() {
        // Kura reads OSGI-INF/metatype/<pid>.xml and takes the OCD whose id is the PID
        Bundle agent = Fakes.bundle(5, "io.edgeflow.config", Set.of(
                "OSGI-INF/metatype/io.edgeflow.config.internal.AgentConfiguration.xml"), null);
        Bundle vault = Fakes.bundle(6, "io.edgeflow.vault", Set.of("OSGI-INF/metatype/io.edgeflow.vault.xml"), null);
        Bundle facts = Fakes.bundle(7, "io.edgeflow.facts.network", Set.of(
                "OSGI-INF/metatype/io.edgeflow.facts.network.xml"), null);
        PidTracker tracker = tracker(Map.of(
                agent, Fakes.metatype(Map.of("io.edgeflow.agent", "io.edgeflow.config.internal.AgentConfiguration")),
                vault, Fakes.metatype(Map.of("io.edgeflow.vault", "io.edgeflow.vault.internal.VaultConfiguration")),
                facts, Fakes.metatype(Map.of("io.edgeflow.facts.network", "io.edgeflow.facts.network"))));

        assertThat(tracker.addingBundle(agent, null)).as("tracked, nothing registered").isEmpty();
        assertThat(tracker.addingBundle(vault, null)).isEmpty();
        assertThat(tracker.addingBundle(facts, null)).hasSize(1);
        assertThat(registered).extracting(p -> (Object) p.get("kura.service.pid")).containsExactly("io.edgeflow.facts.network");

        assertThat(ConfigurablePids.of(agent, Fakes.metatype(Map.of("io.edgeflow.agent",
                "io.edgeflow.config.internal.AgentConfiguration"))).unreadable())
                .containsExactly("io.edgeflow.agent (no OSGI-INF/metatype/io.edgeflow.agent.xml)");
        assertThat(ConfigurablePids.of(vault, Fakes.metatype(Map.of("io.edgeflow.vault",
                "io.edgeflow.vault.internal.VaultConfiguration"))).unreadable())
                .containsExactly("io.edgeflow.vault (its OCD id is io.edgeflow.vault.internal.VaultConfiguration, "
                        + "not the PID)");
    }

    @Test
    void aBundleOfOthersOrWithoutMetatypeIsNotTracked() {
        Bundle kura = Fakes.bundle(3, "org.eclipse.kura.web2", Set.of("OSGI-INF/metatype/org.eclipse.kura.web.xml"),
                null);
        Bundle api = Fakes.bundle(4, "io.edgeflow.api", Set.of(), null);
        PidTracker tracker = tracker(Map.of(kura, Fakes.metatype(Map.of("org.eclipse.kura.web",
                "org.eclipse.kura.web"))));

        assertThat(tracker.addingBundle(kura, null)).isNull();
        assertThat(tracker.addingBundle(api, null)).as("no metatype at all").isNull();
        assertThat(registered).isEmpty();
    }

    @Test
    void theServicesGoWhenTheBundleThatDescribesThemStops() {
        Bundle provisioning = Fakes.bundle(7, "io.edgeflow.provisioning",
                Set.of("OSGI-INF/metatype/io.edgeflow.saas.xml"), null);
        PidTracker tracker = tracker(Map.of(provisioning, Fakes.metatype(Map.of("io.edgeflow.saas",
                "io.edgeflow.saas"))));

        List<AutoCloseable> registrations = tracker.addingBundle(provisioning, null);
        assertThat(registered).singleElement().satisfies(p -> {
            assertThat(p.get(Constants.SERVICE_PID)).isEqualTo("io.edgeflow.saas");
            assertThat(p.get("kura.service.pid")).isEqualTo("io.edgeflow.saas");
            assertThat((String) p.get(Constants.SERVICE_DESCRIPTION)).contains("io.edgeflow.provisioning");
        });
        tracker.removedBundle(provisioning, null, registrations);
        assertThat(closed).containsExactly("io.edgeflow.saas");
    }
}
