package io.edgeflow.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.edgeflow.envfile.EnvFile;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SettingsImportTest {
    /** Config Admin as a map of PID to properties, counting writes. */
    static final class FakeStore implements SettingsImport.ConfigStore {
        final Map<String, Map<String, Object>> configs = new HashMap<>();
        int writes;

        @Override
        public Map<String, Object> read(String pid) {
            return new HashMap<>(configs.getOrDefault(pid, Map.of()));
        }

        @Override
        public void write(String pid, Map<String, Object> properties) {
            writes++;
            configs.put(pid, new HashMap<>(properties));
        }

        @Override
        public boolean exists(String pid) {
            return configs.containsKey(pid);
        }

        Object get(String pid, String property) {
            return configs.getOrDefault(pid, Map.of()).get(property);
        }
    }

    private static final Fingerprints FINGERPRINTS = new Fingerprints(new byte[Fingerprints.KEY_SIZE]);

    private FakeStore store;
    private Map<String, String> remembered;

    @BeforeEach
    void setUp() {
        store = new FakeStore();
        remembered = new HashMap<>();
    }

    private SettingsImport.Outcome run(Map<String, String> env, List<String> envFileLines) throws Exception {
        SettingsImport.Outcome outcome = SettingsImport.apply(store, env, EnvFile.parse("test.env", envFileLines),
                "test.env", remembered, FINGERPRINTS);
        remembered = outcome.fingerprints();
        return outcome;
    }

    @Test
    void theEnvironmentWinsOverTheEnvFile() throws Exception {
        run(Map.of("EDGEFLOW_SAAS_URL", "env:443"), List.of("EDGEFLOW_SAAS_URL=file:443", "EDGEFLOW_SAAS_ENABLED=true"));
        assertThat(store.get("io.edgeflow.saas", "url")).isEqualTo("env:443");
        assertThat(store.get("io.edgeflow.saas", "enabled")).isEqualTo(Boolean.TRUE);
        assertThat(store.configs).containsOnlyKeys("io.edgeflow.saas", "org.apache.felix.http");
    }

    @Test
    void valuesAreTyped() throws Exception {
        run(Map.of(), List.of("EDGEFLOW_HTTP_PORT=9090", "EDGEFLOW_HTTP_HOST=0.0.0.0"));
        assertThat(store.get("org.apache.felix.http", "org.osgi.service.http.port")).isEqualTo(9090);
        assertThat(store.get("org.apache.felix.http", "org.apache.felix.http.host")).isEqualTo("0.0.0.0");
    }

    @Test
    void nothingSetOnlyCreatesTheConfigurationsThatMustExist() throws Exception {
        SettingsImport.Outcome outcome = run(Map.of("PATH", "/usr/bin"), List.of());
        assertThat(store.configs).containsOnlyKeys("org.apache.felix.http");
        assertThat(store.configs.get("org.apache.felix.http")).isEmpty();
        assertThat(outcome.applied()).isEmpty();
        assertThat(outcome.warnings()).isEmpty();

        run(Map.of(), List.of()); // and only once
        assertThat(store.writes).isEqualTo(1);
    }

    @Test
    void aConsoleEditStaysUntilTheVariableChanges() throws Exception {
        run(Map.of(), List.of("EDGEFLOW_HTTP_PORT=9090"));
        store.configs.get("org.apache.felix.http").put("org.osgi.service.http.port", 9191); // console edit

        int writes = store.writes;
        run(Map.of(), List.of("EDGEFLOW_HTTP_PORT=9090")); // restart, same value
        assertThat(store.get("org.apache.felix.http", "org.osgi.service.http.port")).isEqualTo(9191);
        assertThat(store.writes).isEqualTo(writes);

        run(Map.of(), List.of("EDGEFLOW_HTTP_PORT=9292")); // the operator changes the env file
        assertThat(store.get("org.apache.felix.http", "org.osgi.service.http.port")).isEqualTo(9292);
    }

    @Test
    void theSameValueWrittenDifferentlyIsNotAChange() throws Exception {
        run(Map.of(), List.of("EDGEFLOW_SAAS_ENABLED=yes"));
        store.configs.get("io.edgeflow.saas").put("enabled", Boolean.FALSE); // console edit
        run(Map.of(), List.of("EDGEFLOW_SAAS_ENABLED=true")); // same meaning as "yes"
        assertThat(store.get("io.edgeflow.saas", "enabled")).isEqualTo(Boolean.FALSE);
    }

    @Test
    void aRemovedVariableReturnsToTheDefaultUnlessEditedSince() throws Exception {
        run(Map.of(), List.of("EDGEFLOW_HTTP_PORT=9090", "EDGEFLOW_SAAS_URL=a:443"));
        store.configs.get("io.edgeflow.saas").put("url", "edited:443");

        SettingsImport.Outcome outcome = run(Map.of(), List.of());
        assertThat(store.configs.get("org.apache.felix.http")).doesNotContainKey("org.osgi.service.http.port");
        assertThat(store.get("io.edgeflow.saas", "url")).isEqualTo("edited:443");
        assertThat(outcome.applied()).anyMatch(line -> line.contains("returns to its default"));
        assertThat(remembered).isEmpty();
    }

    @Test
    void otherPropertiesOfAPidAreKept() throws Exception {
        store.configs.put("org.apache.felix.http", new HashMap<>(Map.of("org.apache.felix.https.enable", true)));
        run(Map.of("EDGEFLOW_HTTP_PORT", "9090"), List.of());
        assertThat(store.configs.get("org.apache.felix.http")).containsEntry("org.apache.felix.https.enable", true)
                .containsEntry("org.osgi.service.http.port", 9090);
    }

    @Test
    void invalidValuesAndUnknownVariablesAreWarnedAboutAndIgnored() throws Exception {
        SettingsImport.Outcome outcome = run(Map.of("EDGEFLOW_HTTP_PORT", "eighty", "EDGEFLOW_JAVA_OPTS", "-Xmx64m",
                "EDGEFLOW_CDS_ARCHIVE", "off"),
                List.of("EDGEFLOW_SAAS_ENABLD=true", "EDGEFLOW_DATA_DIR=data", "EDGEFLOW_ENV_FILE=/x"));
        assertThat(store.configs.get("org.apache.felix.http")).isEmpty();
        assertThat(store.configs).doesNotContainKeys("io.edgeflow.saas", "io.edgeflow.agent");
        assertThat(outcome.warnings()).containsExactlyInAnyOrder(
                "EDGEFLOW_HTTP_PORT from the environment ignored: expected a port number from 1 to 65535 (got 'eighty')",
                "EDGEFLOW_DATA_DIR from test.env ignored: expected an absolute path (got 'data')",
                "EDGEFLOW_SAAS_ENABLD from test.env is not an EdgeFlow setting and was ignored");
    }

    @Test
    void fingerprintsDoNotRevealTheValue() throws Exception {
        run(Map.of("EDGEFLOW_SAAS_URL", "secret-host.example:443"), List.of());
        assertThat(remembered).hasSize(1);
        assertThat(remembered.values().iterator().next()).doesNotContain("secret").hasSize(35).startsWith("h1:");
    }

    @Test
    void aProxyPasswordIsImportedApartFromTheAddressUnderAPrivateName() throws Exception {
        run(Map.of("EDGEFLOW_HTTPS_PROXY", "http://edge:s3cr%40t-pw@10.0.0.1:3128"), List.of());
        assertThat(store.get("io.edgeflow.saas", "proxy")).isEqualTo("http://edge@10.0.0.1:3128");
        assertThat(store.get("io.edgeflow.saas", ".proxy_password")).isEqualTo("s3cr@t-pw");

        // the password leaves the address: the imported one is withdrawn, the address stays as given
        run(Map.of("EDGEFLOW_HTTPS_PROXY", "http://edge@10.0.0.1:3128"), List.of());
        assertThat(store.get("io.edgeflow.saas", "proxy")).isEqualTo("http://edge@10.0.0.1:3128");
        assertThat(store.get("io.edgeflow.saas", ".proxy_password")).isNull();
    }

    @Test
    void whatVersion01ImportedIsRecognisedSoAConsoleEditSurvivesTheUpgrade() throws Exception {
        // 0.1 imported the token under its public name, with unkeyed fingerprints; then a console changed it
        Setting token = Setting.byVariable("EDGEFLOW_API_TOKEN").orElseThrow();
        remembered.put("io.edgeflow.localapi/api_token", Fingerprints.unkeyed(token, "from-the-env-file"));
        store.write("io.edgeflow.localapi", Map.of(".api_token", "edited-in-the-console"));

        SettingsImport.Outcome outcome = run(Map.of(), List.of("EDGEFLOW_API_TOKEN=from-the-env-file"));

        assertThat(outcome.applied()).isEmpty();
        assertThat(store.get("io.edgeflow.localapi", ".api_token")).isEqualTo("edited-in-the-console");
        assertThat(remembered).containsOnlyKeys("io.edgeflow.localapi/.api_token");
        assertThat(remembered.get("io.edgeflow.localapi/.api_token")).startsWith(Fingerprints.KEYED);
    }

    @Test
    void secretsAreImportedButNeverShownAndAKeyRemovedAfterUseIsNotImportedAgain() throws Exception {
        String key = "efk_g2dq3f8n0ravz5ff21md4cpvsmsw3q1p5d2btdndb5zya7583nxz";
        List<String> envFile = List.of("EDGEFLOW_SAAS_ENABLED=true", "EDGEFLOW_DEVICE_ID=dev_abc123xyz",
                "EDGEFLOW_API_KEY=" + key, "EDGEFLOW_PROVISIONING_CODE=PROV-A1B2-C3D4");
        SettingsImport.Outcome outcome = run(Map.of(), envFile);
        assertThat(store.get("io.edgeflow.saas", ".api_key")).isEqualTo(key);
        assertThat(store.get("io.edgeflow.saas", ".provisioning_code")).isEqualTo("PROV-A1B2-C3D4");
        assertThat(outcome.applied()).contains("EDGEFLOW_API_KEY from test.env -> io.edgeflow.saas .api_key",
                "EDGEFLOW_DEVICE_ID=dev_abc123xyz from test.env -> io.edgeflow.saas device_id");
        assertThat(String.join("\n", outcome.applied())).doesNotContain(key).doesNotContain("A1B2");
        assertThat(String.join("\n", remembered.values())).doesNotContain("g2dq3f8n").doesNotContain("A1B2");

        // the provisioning bundle moves the key into the vault and removes it (and the used code)
        Map<String, Object> saas = store.read("io.edgeflow.saas");
        saas.remove(".api_key");
        saas.remove(".provisioning_code");
        store.write("io.edgeflow.saas", saas);
        int writes = store.writes;
        run(Map.of(), envFile); // the agent restarts with the same env file
        assertThat(store.writes).isEqualTo(writes);
        assertThat(store.get("io.edgeflow.saas", ".api_key")).isNull();
        assertThat(store.get("io.edgeflow.saas", ".provisioning_code")).isNull();

        SettingsImport.Outcome bad = run(Map.of("EDGEFLOW_SAAS_CA_FILE", "ca.pem"), List.of());
        assertThat(bad.warnings()).contains("EDGEFLOW_SAAS_CA_FILE from the environment ignored: expected an absolute "
                + "path (got 'ca.pem')");
    }

    @Test
    void oneVariableReachesEveryPidThatReadsIt() throws Exception {
        SettingsImport.Outcome outcome = run(Map.of("EDGEFLOW_SYSROOT", "/srv/pi-copy"), List.of());
        assertThat(store.get("io.edgeflow.facts.hardware", "sysroot")).isEqualTo("/srv/pi-copy");
        assertThat(store.get("io.edgeflow.facts.network", "sysroot")).isEqualTo("/srv/pi-copy");
        assertThat(outcome.applied()).hasSize(2);

        SettingsImport.Outcome bad = run(Map.of("EDGEFLOW_SYSROOT", "relative"), List.of());
        assertThat(bad.warnings()).singleElement().asString().contains("EDGEFLOW_SYSROOT").contains("absolute");
    }

    @Test
    void aListValueImportedAgainUnchangedIsNotAChangeAndAConsoleEditStays() throws Exception {
        run(Map.of("EDGEFLOW_UPDATE_TRUSTED_KEYS", "ed25519:AAA=,ed25519:BBB="), List.of());
        assertThat((String[]) store.get("io.edgeflow.update", "trusted_keys")).containsExactly("ed25519:AAA=",
                "ed25519:BBB=");
        store.configs.get("io.edgeflow.update").put("trusted_keys", new String[] {"ed25519:CCC="}); // console edit
        int writes = store.writes;
        SettingsImport.Outcome again = run(Map.of("EDGEFLOW_UPDATE_TRUSTED_KEYS", "ed25519:AAA=, ed25519:BBB="),
                List.of());
        assertThat(again.applied()).isEmpty();
        assertThat(store.writes).isEqualTo(writes);
        assertThat((String[]) store.get("io.edgeflow.update", "trusted_keys")).containsExactly("ed25519:CCC=");
    }
}
