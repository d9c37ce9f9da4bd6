package io.edgeflow.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.edgeflow.envfile.EnvFile;

import org.junit.jupiter.api.Test;

/**
 * EDGEFLOW_HTTP_* per runtime: the HTTP server found among the installed bundles (their symbolic names as each
 * runtime has them), and where the import puts the local API's host and port for it.
 */
class HttpServerTest {
    private static final Fingerprints FINGERPRINTS = new Fingerprints(new byte[Fingerprints.KEY_SIZE]);

    /** The standalone agent (launcher/edgeflow.bndrun): Felix HTTP Jetty 12. */
    private static final List<String> STANDALONE = List.of("org.apache.felix.framework", "org.apache.felix.scr",
            "org.apache.felix.configadmin", "org.apache.felix.http.servlet-api", "org.apache.felix.http.jetty12",
            "io.edgeflow.config", "io.edgeflow.localapi");
    /** Karaf 4.4.8 with the feature edgeflow: Pax Web 8 on Jetty 9.4 (bundle:list -s). */
    private static final List<String> KARAF = List.of("org.apache.felix.framework", "org.apache.felix.configadmin",
            "org.apache.felix.fileinstall", "org.apache.felix.scr", "org.ops4j.pax.web.pax-web-api",
            "org.ops4j.pax.web.pax-web-spi", "org.ops4j.pax.web.pax-web-runtime", "org.ops4j.pax.web.pax-web-jetty",
            "org.ops4j.pax.web.pax-web-extender-whiteboard", "org.eclipse.jetty.server", "io.edgeflow.config");
    /** Kura 5: Equinox with Equinox HTTP servlet and Equinox HTTP Jetty. */
    private static final List<String> KURA = List.of("org.eclipse.osgi", "org.eclipse.equinox.cm",
            "org.apache.felix.scr", "org.eclipse.equinox.http.servlet", "org.eclipse.equinox.http.jetty",
            "org.eclipse.jetty.server", "io.edgeflow.config");

    private final SettingsImportTest.FakeStore store = new SettingsImportTest.FakeStore();

    private SettingsImport.Outcome importInto(List<String> installed, Map<String, String> env) throws Exception {
        return SettingsImport.apply(store, env, EnvFile.parse("test.env", List.of()), "test.env", new HashMap<>(),
                FINGERPRINTS, HttpServer.detect(installed));
    }

    @Test
    void standaloneFelixHttpGetsItsPidAndItsConfigurationExistsEvenWithoutValues() throws Exception {
        assertThat(HttpServer.detect(STANDALONE)).isEqualTo(HttpServer.FELIX_HTTP);
        importInto(STANDALONE, Map.of());
        assertThat(store.configs).as("the launcher's Felix HTTP waits for its configuration")
                .containsOnlyKeys("org.apache.felix.http");

        importInto(STANDALONE, Map.of("EDGEFLOW_HTTP_PORT", "9090", "EDGEFLOW_HTTP_HOST", "0.0.0.0"));
        assertThat(store.configs.get("org.apache.felix.http")).containsEntry("org.osgi.service.http.port", 9090)
                .containsEntry("org.apache.felix.http.host", "0.0.0.0");
    }

    @Test
    void karafPaxWebGetsOrgOps4jPaxWebAndNoFelixHttpConfiguration() throws Exception {
        assertThat(HttpServer.detect(KARAF)).isEqualTo(HttpServer.PAX_WEB);
        importInto(KARAF, Map.of());
        assertThat(store.configs).as("nothing for Felix HTTP, which Karaf does not run").isEmpty();

        SettingsImport.Outcome outcome = importInto(KARAF, Map.of("EDGEFLOW_HTTP_PORT", "9090",
                "EDGEFLOW_HTTP_HOST", "127.0.0.1"));
        assertThat(store.configs).containsOnlyKeys("org.ops4j.pax.web");
        // as text: Pax Web 8 casts each value to String and does not start on an Integer
        assertThat(store.configs.get("org.ops4j.pax.web")).containsOnly(
                Map.entry("org.osgi.service.http.port", "9090"),
                Map.entry("org.ops4j.pax.web.listening.addresses", "127.0.0.1"));
        assertThat(outcome.applied()).contains(
                "EDGEFLOW_HTTP_PORT=9090 from the environment -> org.ops4j.pax.web org.osgi.service.http.port");
    }

    @Test
    void karafKeepsTheRestOfEtcOrgOps4jPaxWebCfg() throws Exception {
        store.configs.put("org.ops4j.pax.web", new HashMap<>(Map.of("org.osgi.service.http.port", "8181",
                "felix.fileinstall.filename", "file:/opt/karaf/etc/org.ops4j.pax.web.cfg",
                "org.ops4j.pax.web.session.timeout", "1440")));
        importInto(KARAF, Map.of("EDGEFLOW_HTTP_PORT", "9090"));
        assertThat(store.configs.get("org.ops4j.pax.web")).containsEntry("org.osgi.service.http.port", "9090")
                .containsEntry("felix.fileinstall.filename", "file:/opt/karaf/etc/org.ops4j.pax.web.cfg")
                .containsEntry("org.ops4j.pax.web.session.timeout", "1440");
    }

    @Test
    void kuraEquinoxHttpJettyGetsANamedFactoryConfigurationOfItsServerFactory() throws Exception {
        assertThat(HttpServer.detect(KURA)).isEqualTo(HttpServer.EQUINOX_HTTP_JETTY);
        importInto(KURA, Map.of());
        assertThat(store.configs).as("no server of its own unless EDGEFLOW_HTTP_* asks for one").isEmpty();

        importInto(KURA, Map.of("EDGEFLOW_HTTP_PORT", "9090", "EDGEFLOW_HTTP_HOST", "127.0.0.1"));
        assertThat(store.configs).containsOnlyKeys("org.eclipse.equinox.http.jetty.config~edgeflow",
                "io.edgeflow.localapi.http", "io.edgeflow.localapi");
        assertThat(store.configs.get("org.eclipse.equinox.http.jetty.config~edgeflow")).containsOnly(
                Map.entry("http.port", 9090), Map.entry("http.host", "127.0.0.1"),
                Map.entry("other.info", "io.edgeflow"));
    }

    @Test
    void onKuraTheLocalApiServesOnlyOnItsOwnServerWhileTheVariablesAreSet() throws Exception {
        Map<String, String> env = Map.of("EDGEFLOW_HTTP_PORT", "9090", "EDGEFLOW_HTTP_HOST", "127.0.0.1");
        SettingsImport.Outcome first = SettingsImport.apply(store, env, EnvFile.parse("test.env", List.of()),
                "test.env", new HashMap<>(), FINGERPRINTS, HttpServer.detect(KURA));
        assertThat(store.configs.get("io.edgeflow.localapi.http")).as("the local API's servlets target our server")
                .containsOnly(Map.entry("osgi.http.whiteboard.target", "(other.info=io.edgeflow)"));
        assertThat(store.configs.get("io.edgeflow.localapi")).as("the provisioning servlet too")
                .containsOnly(Map.entry("osgi.http.whiteboard.target", "(other.info=io.edgeflow)"));
        assertThat(store.configs).as("no servlet takes io.edgeflow.saas (the status servlet takes"
                + " io.edgeflow.localapi.http): no target written there").doesNotContainKey("io.edgeflow.saas");
        assertThat(store.configs.get("org.eclipse.equinox.http.jetty.config~edgeflow"))
                .as("the server the filter finds").containsEntry("other.info", "io.edgeflow");
        assertThat(first.applied()).anySatisfy(line -> assertThat(line).contains("serves only on")
                .contains("org.eclipse.equinox.http.jetty.config~edgeflow"));

        int writes = store.writes;
        SettingsImport.Outcome again = SettingsImport.apply(store, env, EnvFile.parse("test.env", List.of()),
                "test.env", first.fingerprints(), FINGERPRINTS, HttpServer.detect(KURA));
        assertThat(store.writes).as("nothing written again at the next start").isEqualTo(writes);
        assertThat(again.applied()).isEmpty();

        SettingsImport.Outcome unset = SettingsImport.apply(store, Map.of(), EnvFile.parse("test.env", List.of()),
                "test.env", again.fingerprints(), FINGERPRINTS, HttpServer.detect(KURA));
        assertThat(store.configs.get("io.edgeflow.localapi.http")).as("variables gone: on Kura's server again")
                .doesNotContainKey("osgi.http.whiteboard.target");
        assertThat(store.configs.get("io.edgeflow.localapi")).doesNotContainKey("osgi.http.whiteboard.target");
        assertThat(store.configs).doesNotContainKey("io.edgeflow.saas");
        assertThat(unset.applied()).anySatisfy(line -> assertThat(line).contains("platform's HTTP server again"));
    }

    @Test
    void elsewhereTheLocalApiServletsKeepNoTarget() throws Exception {
        importInto(STANDALONE, Map.of("EDGEFLOW_HTTP_PORT", "9090"));
        importInto(KARAF, Map.of("EDGEFLOW_HTTP_PORT", "9090"));
        assertThat(store.configs).doesNotContainKeys("io.edgeflow.localapi.http", "io.edgeflow.localapi",
                "io.edgeflow.saas");
        assertThat(store.configs.get("org.apache.felix.http")).doesNotContainKey("other.info");
        assertThat(store.configs.get("org.ops4j.pax.web")).doesNotContainKey("other.info");
    }

    @Test
    void aRuntimeWithoutAKnownServerIsConfiguredAsTheStandaloneAgentWas() {
        assertThat(HttpServer.detect(List.of("org.apache.felix.framework", "io.edgeflow.config")))
                .isEqualTo(HttpServer.FELIX_HTTP);
    }

    @Test
    void everyServerTakesBothHttpVariablesAndNothingElseMoves() {
        for (HttpServer server : HttpServer.values()) {
            List<Setting> moved = server.settings();
            assertThat(moved).hasSameSizeAs(Setting.ALL);
            for (int i = 0; i < moved.size(); i++) {
                Setting before = Setting.ALL.get(i);
                Setting after = moved.get(i);
                assertThat(after.variable()).isEqualTo(before.variable());
                if (before.pid().equals(Setting.HTTP_PID)) {
                    assertThat(after.pid()).isEqualTo(server.pid());
                    assertThat(after.secret()).isFalse();
                } else {
                    assertThat(after).isEqualTo(before);
                }
            }
        }
    }
}
