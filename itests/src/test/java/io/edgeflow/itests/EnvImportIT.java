package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * EDGEFLOW_* settings from the environment and the env file land in Config Admin: environment over env
 * file over defaults, malformed lines skipped, console edits kept until the variable itself changes.
 * The failsafe configuration sets EDGEFLOW_SAAS_URL=env.example.test:8443 in this JVM's environment.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EnvImportIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("envimport");
        Path envFile = dir.resolve("edgeflow.env");
        int envFilePort = EdgeFlowRuntime.freePort();
        Files.writeString(envFile, envFileText(envFilePort, "true", true), StandardCharsets.UTF_8);
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(), envFile,
                Map.of("edgeflow.itest.envfile.port", Integer.toString(envFilePort)));
    }

    static String envFileText(int port, String enabled, boolean withPort) {
        return "# EdgeFlow env file written by EnvImportIT\n"
                + "\n"
                + "export EDGEFLOW_SAAS_ENABLED=\"" + enabled + "\"\n"
                + "EDGEFLOW_SAAS_URL=file.example.test:443   # the environment overrides this\n"
                + "this line has no equals sign\n"
                + "EDGEFLOW_DATA_DIR=relative/path\n"
                + "EDGEFLOW_BROKEN=\"unterminated\n"
                + (withPort ? "EDGEFLOW_HTTP_PORT='" + port + "'\n" : "");
    }

    private Path envFile() {
        return Path.of(context.getProperty("edgeflow.env.file"));
    }

    private int envFilePort() {
        return Integer.parseInt(context.getProperty("edgeflow.itest.envfile.port"));
    }

    private int launcherPort() {
        return Integer.parseInt(context.getProperty("org.osgi.service.http.port"));
    }

    private Dictionary<String, Object> saas() throws Exception {
        return configAdmin.getConfiguration("io.edgeflow.saas", "?").getProperties();
    }

    /**
     * The status once it reads as expected (Config Admin delivers a change to its consumers asynchronously),
     * or the last one read after 20 s.
     */
    private String status(int port, String expected) throws Exception {
        String last = null;
        for (int i = 0; i < 200 && !expected.equals(last); i++) {
            if (last != null) {
                Thread.sleep(100);
            }
            last = JSON.readTree(Http.await("http://127.0.0.1:" + port + "/api/v1/saas/status", 200,
                    Duration.ofSeconds(20)).body()).get("status").asText();
        }
        return last;
    }

    /** Stops and starts the configuration bundle: its import runs again, as at an agent restart. */
    private void rerunImport() throws Exception {
        for (Bundle bundle : context.getBundles()) {
            if ("io.edgeflow.config".equals(bundle.getSymbolicName())) {
                bundle.stop();
                bundle.start();
                return;
            }
        }
        throw new AssertionError("io.edgeflow.config is not installed");
    }

    @Test
    public void importsWithPrecedenceSkipsBadLinesAndKeepsConsoleEdits() throws Exception {
        // env file: SaaS enabled and the HTTP port moved; the environment's URL beats the file's
        assertEquals("unprovisioned", status(envFilePort(), "unprovisioned"));
        assertTrue("the launcher's default port should have been replaced",
                Http.refuses("http://127.0.0.1:" + launcherPort() + "/api/v1/saas/status", Duration.ofSeconds(10)));
        Dictionary<String, Object> saas = saas();
        assertEquals(Boolean.TRUE, saas.get("enabled"));
        assertEquals("env.example.test:8443", saas.get("url"));
        // an invalid value is ignored, not imported
        assertNull(configAdmin.getConfiguration("io.edgeflow.agent", "?").getProperties() == null ? null
                : configAdmin.getConfiguration("io.edgeflow.agent", "?").getProperties().get("data_dir"));

        // a console edit survives a re-import while the variable is unchanged
        Hashtable<String, Object> edited = copy(saas);
        edited.put("url", "console.example.test:443");
        configAdmin.getConfiguration("io.edgeflow.saas", "?").update(edited);
        rerunImport();
        assertEquals("console.example.test:443", saas().get("url"));
        assertEquals(Boolean.TRUE, saas().get("enabled"));

        // a changed env-file value is imported again; the console edit of another property stays
        Files.writeString(envFile(), envFileText(envFilePort(), "false", true), StandardCharsets.UTF_8);
        rerunImport();
        assertEquals(Boolean.FALSE, saas().get("enabled"));
        assertEquals("console.example.test:443", saas().get("url"));
        assertEquals("disabled", status(envFilePort(), "disabled"));

        // a removed variable returns its property to the default: the API moves back to the launcher's port
        Files.writeString(envFile(), envFileText(envFilePort(), "false", false), StandardCharsets.UTF_8);
        rerunImport();
        assertEquals("disabled", status(launcherPort(), "disabled"));
        assertNull(configAdmin.getConfiguration("org.apache.felix.http", "?").getProperties()
                .get("org.osgi.service.http.port"));
    }

    private static Hashtable<String, Object> copy(Dictionary<String, Object> d) {
        Hashtable<String, Object> copy = new Hashtable<>();
        for (java.util.Enumeration<String> keys = d.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            copy.put(key, d.get(key));
        }
        return copy;
    }
}
