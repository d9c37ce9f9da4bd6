package io.edgeflow.config.encryption.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.stream.Stream;

import org.apache.felix.cm.file.FilePersistenceManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptingPersistenceManagerTest {
    private static final String TOKEN = "local-api-token-7d2f9a61c";
    private static final String CODE = "PROV-A1B2-C3D4";
    private static final String PROXY_PASSWORD = "pr0xy-p4ssw0rd-e91";

    private static Hashtable<String, Object> properties(String pid, Object... keysAndValues) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("service.pid", pid);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return p;
    }

    /** Everything written under the directory, as text. */
    private static String everything(Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).append('\n');
            }
        }
        return all.toString();
    }

    @Test
    void secretsAreEncryptedOnDiskAndClearInMemory(@TempDir Path dir) throws Exception {
        FilePersistenceManager files = new FilePersistenceManager(dir.resolve("config").toString());
        EncryptingPersistenceManager pm = new EncryptingPersistenceManager(files, dir.resolve("key"),
                new SecureRandom());
        pm.store("io.edgeflow.localapi", properties("io.edgeflow.localapi", ".api_token", TOKEN));
        pm.store("io.edgeflow.saas", properties("io.edgeflow.saas", ".provisioning_code", CODE, ".proxy_password",
                PROXY_PASSWORD, "proxy", "http://edge@127.0.0.1:3128", "url", "cloud.example:443"));

        String disk = everything(dir.resolve("config"));
        assertThat(disk).doesNotContain(TOKEN).doesNotContain(CODE).doesNotContain(PROXY_PASSWORD)
                .doesNotContain("A1B2").contains("cloud.example:443").contains(PropertyCipher.PREFIX);
        assertThat(pm.load("io.edgeflow.localapi").get(".api_token")).isEqualTo(TOKEN);
        Dictionary<?, ?> saas = pm.load("io.edgeflow.saas");
        assertThat(saas.get(".provisioning_code")).isEqualTo(CODE);
        assertThat(saas.get(".proxy_password")).isEqualTo(PROXY_PASSWORD);
        assertThat(saas.get("url")).isEqualTo("cloud.example:443");

        // a second instance on the same key reads them (a restart)
        EncryptingPersistenceManager again = new EncryptingPersistenceManager(files, dir.resolve("key"),
                new SecureRandom());
        assertThat(again.load("io.edgeflow.localapi").get(".api_token")).isEqualTo(TOKEN);
    }

    @Test
    void filesAndKeyAreOwnerOnly(@TempDir Path dir) throws Exception {
        FilePersistenceManager files = new FilePersistenceManager(dir.resolve("config").toString());
        EncryptingPersistenceManager pm = new EncryptingPersistenceManager(files, dir.resolve("key"),
                new SecureRandom());
        pm.store("io.edgeflow.localapi", properties("io.edgeflow.localapi", ".api_token", TOKEN));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("key"))))
                .isEqualTo("rw-------");
        try (Stream<Path> all = Files.walk(dir.resolve("config"))) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                assertThat(mode.substring(3)).as(p.toString()).isEqualTo("------");
            }
        }
    }

    @Test
    void anOlderConfigurationIsMovedToPrivateNamesAndEncryptedAtStart(@TempDir Path dir) throws Exception {
        FilePersistenceManager files = new FilePersistenceManager(dir.resolve("config").toString());
        // as versions before private names wrote them: public names, in clear
        files.store("io.edgeflow.localapi", properties("io.edgeflow.localapi", "api_token", TOKEN));
        files.store("io.edgeflow.saas", properties("io.edgeflow.saas", "provisioning_code", CODE, "proxy",
                "http://edge:" + PROXY_PASSWORD + "@127.0.0.1:3128", "enabled", Boolean.TRUE));
        assertThat(everything(dir.resolve("config"))).contains(TOKEN);

        EncryptingPersistenceManager pm = new EncryptingPersistenceManager(files, dir.resolve("key"),
                new SecureRandom());

        assertThat(everything(dir.resolve("config"))).doesNotContain(TOKEN).doesNotContain(CODE)
                .doesNotContain(PROXY_PASSWORD);
        Dictionary<?, ?> api = pm.load("io.edgeflow.localapi");
        assertThat(api.get(".api_token")).isEqualTo(TOKEN);
        assertThat(api.get("api_token")).isNull();
        Dictionary<?, ?> saas = pm.load("io.edgeflow.saas");
        assertThat(saas.get(".provisioning_code")).isEqualTo(CODE);
        assertThat(saas.get("proxy")).isEqualTo("http://edge@127.0.0.1:3128");
        assertThat(saas.get(".proxy_password")).isEqualTo(PROXY_PASSWORD);
        assertThat(saas.get("enabled")).isEqualTo(Boolean.TRUE);
    }

    @Test
    void aSecretUnderAnOldNameGivenLaterIsStoredPrivateAndEncrypted(@TempDir Path dir) throws Exception {
        FilePersistenceManager files = new FilePersistenceManager(dir.resolve("config").toString());
        EncryptingPersistenceManager pm = new EncryptingPersistenceManager(files, dir.resolve("key"),
                new SecureRandom());
        pm.store("io.edgeflow.saas", properties("io.edgeflow.saas", "api_key", "efk_0123456789abcdef"));
        assertThat(everything(dir.resolve("config"))).doesNotContain("efk_0123456789abcdef");
        assertThat(pm.load("io.edgeflow.saas").get(".api_key")).isEqualTo("efk_0123456789abcdef");
    }

    @Test
    void anotherKeyCannotReadTheSecretsWhichAreLeftOutNotInvented(@TempDir Path dir) throws Exception {
        FilePersistenceManager files = new FilePersistenceManager(dir.resolve("config").toString());
        new EncryptingPersistenceManager(files, dir.resolve("key"), new SecureRandom())
                .store("io.edgeflow.localapi", properties("io.edgeflow.localapi", ".api_token", TOKEN, "x", "y"));
        EncryptingPersistenceManager other = new EncryptingPersistenceManager(files, dir.resolve("other.key"),
                new SecureRandom());
        Dictionary<?, ?> loaded = other.load("io.edgeflow.localapi");
        assertThat(loaded.get(".api_token")).isNull();
        assertThat(loaded.get("x")).isEqualTo("y");
    }

    @Test
    void aCiphertextMovedToAnotherPropertyOrPidDoesNotDecrypt(@TempDir Path dir) throws Exception {
        PropertyCipher cipher = new PropertyCipher(new byte[32], new SecureRandom());
        String sealed = cipher.encrypt("io.edgeflow.localapi", ".api_token", TOKEN);
        assertThat(cipher.decrypt("io.edgeflow.localapi", ".api_token", sealed)).isEqualTo(TOKEN);
        for (List<String> elsewhere : List.of(List.of("io.edgeflow.saas", ".api_token"),
                List.of("io.edgeflow.localapi", ".proxy_password"))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> cipher.decrypt(elsewhere.get(0), elsewhere.get(1), sealed))
                    .isInstanceOf(java.security.GeneralSecurityException.class);
        }
    }

    @Test
    void proxyPasswordsAreSplitOffTheAddress() {
        assertThat(SecretProperties.splitPassword("http://u:p%40ss@proxy:3128"))
                .containsExactly("http://u@proxy:3128", "p@ss");
        assertThat(SecretProperties.splitPassword("u:pw@proxy:3128")).containsExactly("u@proxy:3128", "pw");
        assertThat(SecretProperties.splitPassword("http://u@proxy:3128")).isNull();
        assertThat(SecretProperties.splitPassword("http://proxy:3128")).isNull();
        assertThat(SecretProperties.splitPassword("direct")).isNull();
    }

    @Test
    void privateAndOldSecretNamesAreSecretOthersAreNot() {
        assertThat(SecretProperties.isSecret(".api_token")).isTrue();
        assertThat(SecretProperties.isSecret(".anything")).isTrue();
        assertThat(SecretProperties.isSecret("api_token")).isTrue();
        assertThat(SecretProperties.isSecret("proxy_password")).isTrue();
        assertThat(SecretProperties.isSecret("url")).isFalse();
        assertThat(SecretProperties.isSecret("service.pid")).isFalse();
    }
}
