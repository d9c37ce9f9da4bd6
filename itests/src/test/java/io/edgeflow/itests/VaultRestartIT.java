package io.edgeflow.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultState;

/**
 * The credential vault in the agent's own runtime, across framework restarts: credentials stored in one
 * framework are read back by the next one, from the data directory and key file the env file names; the
 * status API shows the stored Device ID, and a tampered vault as {@code credentials_unreadable}.
 * <p>
 * One framework per test method ({@link PerMethod}), in name order, all sharing one test directory:
 * each method is one start of the agent. The framework's UUID, recorded by the first, proves the
 * second runs in a new framework.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class VaultRestartIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEVICE_ID = "dev_itest42";
    private static final String API_KEY = "efk_itQ7hZ2kR9vXw3mN8pL5tY1cB6dF4g9f2a";
    private static final Instant EXPIRES_AT = Instant.parse("2027-02-21T00:00:00Z");

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws Exception {
        Path dir = EdgeFlowRuntime.newTestDirectory("vault").toAbsolutePath();
        Path envFile = dir.resolve("edgeflow.env");
        Files.writeString(envFile, "EDGEFLOW_SAAS_ENABLED=true\n"
                + "EDGEFLOW_DATA_DIR=" + dir.resolve("data") + "\n"
                + "EDGEFLOW_VAULT_KEY_FILE=" + dir.resolve("etc/edgeflow/vault.key") + "\n", StandardCharsets.UTF_8);
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(), envFile,
                Map.of("edgeflow.itest.vault.dir", dir.toString()));
    }

    private Path dir() {
        return Path.of(context.getProperty("edgeflow.itest.vault.dir"));
    }

    private Path vaultFile() {
        return dir().resolve("data/vault/credentials.vault");
    }

    private Path keyFile() {
        return dir().resolve("etc/edgeflow/vault.key");
    }

    private String statusUrl() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port") + "/api/v1/saas/status";
    }

    /**
     * The vault once Config Admin has given it the key file of the env file (its data directory, which the vault reads
     * through a component of its own, shows where the vault file is written: {@link #vaultFile()}).
     */
    private CredentialVault vault() throws Exception {
        String filter = "(key_file=" + keyFile() + ")";
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            Collection<ServiceReference<CredentialVault>> refs = context.getServiceReferences(CredentialVault.class,
                    filter);
            if (!refs.isEmpty()) {
                ServiceReference<CredentialVault> ref = refs.iterator().next();
                assertEquals("the file vault registers with ranking 0", 0, ref.getProperty(Constants.SERVICE_RANKING));
                return context.getService(ref);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no CredentialVault configured from the env file " + filter);
    }

    private JsonNode status() throws Exception {
        return JSON.readTree(Http.await(statusUrl(), 200, Duration.ofSeconds(20)).body());
    }

    @Test
    public void a_storedCredentialsAreEncryptedWithTheConfiguredKey() throws Exception {
        CredentialVault vault = vault();
        assertEquals(VaultState.EMPTY, vault.status().state());
        assertEquals("unprovisioned", status().get("status").asText());

        vault.store(new DeviceCredentials(DEVICE_ID, API_KEY.toCharArray(), EXPIRES_AT, "saas.edgx.cloud:443"));
        vault.storePendingRequestId("req-itest-1");

        JsonNode status = status();
        assertEquals("provisioned", status.get("status").asText());
        assertEquals(DEVICE_ID, status.get("device_id").asText());
        assertEquals("2027-02-21T00:00:00Z", status.get("credentials_expire_at").asText());
        assertTrue(status.get("error").isNull());

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(vaultFile())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile().getParent())));
        assertEquals(32, Files.size(keyFile()));
        assertFalse("no key beside the vault when another key file is configured",
                Files.exists(vaultFile().resolveSibling("vault.key")));
        String onDisk = new String(Files.readAllBytes(vaultFile()), StandardCharsets.ISO_8859_1);
        assertFalse(onDisk.contains("vXw3mN8pL5"));
        assertFalse(onDisk.contains(DEVICE_ID));

        Files.writeString(dir().resolve("first-framework.uuid"), context.getProperty(Constants.FRAMEWORK_UUID));
    }

    @Test
    public void b_afterARestartTheCredentialsAreReadBack() throws Exception {
        Path firstUuid = dir().resolve("first-framework.uuid");
        assertTrue("the first test stores the credentials", Files.exists(firstUuid));
        assertNotEquals("a new framework", Files.readString(firstUuid), context.getProperty(Constants.FRAMEWORK_UUID));

        CredentialVault vault = vault();
        Optional<DeviceCredentials> loaded = vault.load();
        assertTrue(loaded.isPresent());
        DeviceCredentials credentials = loaded.get();
        assertEquals(DEVICE_ID, credentials.deviceId());
        assertArrayEquals(API_KEY.toCharArray(), credentials.apiKey());
        assertEquals(EXPIRES_AT, credentials.expiresAt());
        assertEquals("saas.edgx.cloud:443", credentials.saasUrl());
        assertFalse(credentials.toString().contains("vXw3mN8pL5"));
        credentials.destroy();
        assertEquals(Optional.of("req-itest-1"), vault.pendingRequestId());

        JsonNode status = status();
        assertEquals("provisioned", status.get("status").asText());
        assertEquals(DEVICE_ID, status.get("device_id").asText());
    }

    @Test
    public void c_aTamperedVaultIsCredentialsUnreadableUntilNewCredentialsAreStored() throws Exception {
        CredentialVault vault = vault();
        byte[] tampered = Files.readAllBytes(vaultFile());
        tampered[tampered.length - 3] ^= 0x10;
        Files.write(vaultFile(), tampered);

        JsonNode status = status();
        assertEquals("error", status.get("status").asText());
        assertTrue(status.get("device_id").isNull());
        assertEquals("credentials_unreadable", status.get("error").get("code").asText());
        assertFalse(status.get("error").get("since").isNull());
        assertTrue(status.get("error").get("message").asText(),
                status.get("error").get("message").asText().contains("altered or damaged"));
        try {
            vault.load();
            fail("a tampered vault must not load");
        } catch (VaultException e) {
            assertEquals(VaultException.CREDENTIALS_UNREADABLE, e.code());
            assertFalse(e.getMessage().contains("vXw3mN8pL5"));
        }
        assertArrayEquals("reading never rewrites the file", tampered, Files.readAllBytes(vaultFile()));

        vault.store(new DeviceCredentials("dev_itest43", "efk_replacement_key_7c1d".toCharArray(), null, null));

        List<Path> aside;
        try (Stream<Path> files = Files.list(vaultFile().getParent())) {
            aside = files.filter(p -> p.getFileName().toString().startsWith("credentials.vault.corrupt-")).toList();
        }
        assertEquals(1, aside.size());
        assertArrayEquals(tampered, Files.readAllBytes(aside.get(0)));
        JsonNode after = status();
        assertEquals("provisioned", after.get("status").asText());
        assertEquals("dev_itest43", after.get("device_id").asText());
        assertTrue(after.get("credentials_expire_at").isNull());
        assertTrue(after.get("error").isNull());
    }
}
