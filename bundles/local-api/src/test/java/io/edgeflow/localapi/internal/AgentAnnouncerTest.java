package io.edgeflow.localapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class AgentAnnouncerTest {
    @Test
    void endpointsComeAsStringArrayOrCollection() {
        assertThat(AgentAnnouncer.endpoints("http://127.0.0.1:8080/")).containsExactly("http://127.0.0.1:8080/");
        assertThat(AgentAnnouncer.endpoints(new String[] {"http://a:1/", "http://b:1/"})).hasSize(2);
        assertThat(AgentAnnouncer.endpoints(List.of("http://a:1/"))).containsExactly("http://a:1/");
        assertThat(AgentAnnouncer.endpoints(null)).isEmpty();
    }

    @Test
    void theApiUrlIsUnderApiV1() {
        assertThat(AgentAnnouncer.apiUrl("http://127.0.0.1:8080/")).isEqualTo("http://127.0.0.1:8080/api/v1/");
        assertThat(AgentAnnouncer.apiUrl("http://127.0.0.1:8080")).isEqualTo("http://127.0.0.1:8080/api/v1/");
    }

    @Test
    void theAnnouncedDataDirectoryIsTheOneTheVaultUses() {
        assertThat(AgentAnnouncer.dataDir("", "/opt/edgeflow-data")).as("the launcher's choice when data_dir is unset")
                .isEqualTo("/opt/edgeflow-data");
        assertThat(AgentAnnouncer.dataDir(" /srv/edgeflow ", "/opt/edgeflow-data")).isEqualTo("/srv/edgeflow");
        assertThat(AgentAnnouncer.dataDir("", null)).isEqualTo("/var/lib/edgeflow");
    }

    @Test
    void readyIsAnnouncedOnlyOnceTheVaultIsThereToo() {
        org.osgi.framework.BundleContext context = (org.osgi.framework.BundleContext) java.lang.reflect.Proxy
                .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {org.osgi.framework.BundleContext.class},
                        (proxy, method, args) -> null);
        AgentAnnouncer announcer = new AgentAnnouncer(new AgentAnnouncer.AgentSettings() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return AgentAnnouncer.AgentSettings.class;
            }

            @Override
            public String data__dir() {
                return "/tmp/x";
            }
        }, context);
        announcer.bindRuntime(null, java.util.Map.of(
                org.osgi.service.http.runtime.HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT, "http://127.0.0.1:8080/"));
        org.assertj.core.api.Assertions.assertThat(announcer.lastAnnounced()).as("before the vault").isNull();
        announcer.bindVault(null);
        org.assertj.core.api.Assertions.assertThat(announcer.lastAnnounced()).isEqualTo("http://127.0.0.1:8080/api/v1/");
    }
}
