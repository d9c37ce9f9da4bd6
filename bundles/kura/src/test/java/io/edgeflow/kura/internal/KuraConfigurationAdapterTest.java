package io.edgeflow.kura.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.kura.configuration.ConfigurableComponent;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.metatype.MetaTypeInformation;

class KuraConfigurationAdapterTest {
    private static final String SAAS_XML = "OSGI-INF/metatype/io.edgeflow.saas.xml";
    private static final String TUNNEL_XML = "OSGI-INF/metatype/io.edgeflow.tunnel.xml";

    private final Bundle provisioning = Fakes.bundle(7, "io.edgeflow.provisioning", Set.of(SAAS_XML), null);
    private final Bundle tunnel = Fakes.bundle(8, "io.edgeflow.tunnel", Set.of(TUNNEL_XML), null);
    private final Bundle kuraOwn = Fakes.bundle(3, "org.eclipse.kura.core.configuration",
            Set.of("OSGI-INF/metatype/org.eclipse.kura.configuration.ConfigurationService.xml"), null);
    private final Map<Bundle, MetaTypeInformation> metatypes = Map.of(
            provisioning, Fakes.metatype(Map.of("io.edgeflow.saas", "io.edgeflow.saas")),
            tunnel, Fakes.metatype(Map.of("io.edgeflow.tunnel", "io.edgeflow.tunnel")),
            kuraOwn, Fakes.metatype(Map.of("org.eclipse.kura.configuration.ConfigurationService",
                    "org.eclipse.kura.configuration.ConfigurationService")));

    private final List<Fakes.Registered> registered = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();

    private BundleContext contextOfAdapterWiredTo(String... packages) {
        Bundle self = Fakes.bundle(20, "io.edgeflow.kura", Set.of(), Fakes.wiring(packages));
        return Fakes.context(self, new Bundle[] {kuraOwn, provisioning, tunnel, self}, registered, calls);
    }

    @Test
    void withKurasPackageWiredEachEdgeFlowPidIsRegisteredAsAConfigurableComponent() {
        KuraConfigurationAdapter adapter = new KuraConfigurationAdapter(
                contextOfAdapterWiredTo("org.osgi.framework", KuraApi.PACKAGE), Fakes.metaTypeService(metatypes));

        assertThat(registered).extracting(r -> (Object) r.properties().get(Constants.SERVICE_PID))
                .containsExactlyInAnyOrder("io.edgeflow.saas", "io.edgeflow.tunnel");
        for (Fakes.Registered r : registered) {
            assertThat(r.className()).isEqualTo("org.eclipse.kura.configuration.ConfigurableComponent");
            assertThat(r.service()).isInstanceOf(ConfigurableComponent.class);
            assertThat(r.properties().get("kura.service.pid")).isEqualTo(r.properties().get(Constants.SERVICE_PID));
            assertThat(r.properties().get("service.factoryPid")).as("not a factory").isNull();
        }

        adapter.deactivate();
        assertThat(registered).allSatisfy(r -> assertThat(r.unregistered()[0]).as("unregistered").isTrue());
    }

    @Test
    void withoutKurasPackageNothingIsRegisteredNorTracked() {
        KuraConfigurationAdapter adapter = new KuraConfigurationAdapter(contextOfAdapterWiredTo("org.osgi.framework"),
                Fakes.metaTypeService(metatypes));

        assertThat(registered).isEmpty();
        assertThat(calls).as("no bundle tracked").doesNotContain("addBundleListener", "getBundles");
        adapter.deactivate();
    }

    @Test
    void anUnresolvedWiringCountsAsNotWired() {
        assertThat(KuraApi.wired(null)).isFalse();
        assertThat(KuraApi.wired(Fakes.wiring())).isFalse();
        assertThat(KuraApi.wired(Fakes.wiring("org.eclipse.kura.configuration.metatype"))).isFalse();
        assertThat(KuraApi.wired(Fakes.wiring(KuraApi.PACKAGE))).isTrue();
    }
}
