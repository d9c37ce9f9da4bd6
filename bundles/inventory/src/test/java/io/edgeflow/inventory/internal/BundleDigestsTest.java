package io.edgeflow.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

class BundleDigestsTest {
    @TempDir
    Path dir;

    private static Bundle bundle(long id, String name, String version, long lastModified, String location) {
        return (Bundle) Proxy.newProxyInstance(BundleDigestsTest.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> name;
                    case "getVersion" -> Version.parseVersion(version);
                    case "getLastModified" -> lastModified;
                    case "getLocation" -> location;
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == a[0];
                    default -> null;
                });
    }

    private static byte[] sha(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    private static String hex(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(sha(bytes));
    }

    @Test
    void theLauncherRecordCountsOnlyForTheBundleItDescribes() throws Exception {
        byte[] digest = sha("shipped".getBytes(StandardCharsets.UTF_8));
        String b64 = Base64.getEncoder().encodeToString(digest);
        Files.writeString(dir.resolve(BundleDigests.LAUNCHER_RECORD), "# comment\nio.edgeflow.tunnel=0.1.0.SNAPSHOT;"
                + b64 + ";35;1000\n");
        BundleDigests digests = new BundleDigests(null, dir);
        Map<String, String> record = digests.launcherRecord();
        BundleDigests.Digest found = digests.of(bundle(35, "io.edgeflow.tunnel", "0.1.0.SNAPSHOT", 1000, "edgeflow:x"),
                record);
        assertThat(found.sha256()).isEqualTo(HexFormat.of().formatHex(digest));
        assertThat(found.source()).isEqualTo(BundleDigests.Source.LAUNCHER);
        // updated at run time (another last-modified time), another id or version: the record says nothing
        assertThat(digests.of(bundle(35, "io.edgeflow.tunnel", "0.1.0.SNAPSHOT", 2000, "edgeflow:x"), record)).isNull();
        assertThat(digests.of(bundle(36, "io.edgeflow.tunnel", "0.1.0.SNAPSHOT", 1000, "edgeflow:x"), record)).isNull();
        assertThat(digests.of(bundle(35, "io.edgeflow.tunnel", "0.2.0", 1000, "edgeflow:x"), record)).isNull();
    }

    @Test
    void felixStorageGivesTheNewestRevisionsJar() throws Exception {
        Path storage = dir.resolve("framework");
        Path bundleDir = Files.createDirectories(storage.resolve("bundle12"));
        Files.writeString(bundleDir.resolve("bundle.info"), "12\nedgeflow:io.edgeflow.tunnel\n");
        byte[] old = "revision 0".getBytes(StandardCharsets.UTF_8);
        byte[] updated = "revision 1".getBytes(StandardCharsets.UTF_8);
        byte[] refreshed = "refresh 1 revision 0".getBytes(StandardCharsets.UTF_8);
        Files.write(Files.createDirectories(bundleDir.resolve("version0.0")).resolve("bundle.jar"), old);
        Files.write(Files.createDirectories(bundleDir.resolve("version0.1")).resolve("bundle.jar"), updated);
        BundleDigests digests = new BundleDigests(storage, null);
        Bundle tunnel = bundle(12, "io.edgeflow.tunnel", "0.1.0", 1, "edgeflow:io.edgeflow.tunnel");
        assertThat(digests.of(tunnel, Map.of())).isEqualTo(new BundleDigests.Digest(hex(updated),
                BundleDigests.Source.STORAGE));
        Files.write(Files.createDirectories(bundleDir.resolve("version1.0")).resolve("bundle.jar"), refreshed);
        // the same last-modified time: the digest read before is kept
        assertThat(digests.of(tunnel, Map.of()).sha256()).isEqualTo(hex(updated));
        Bundle later = bundle(12, "io.edgeflow.tunnel", "0.1.0", 2, "edgeflow:io.edgeflow.tunnel");
        assertThat(digests.of(later, Map.of()).sha256()).isEqualTo(hex(refreshed));
    }

    @Test
    void aRevisionInstalledByReferenceIsReadWhereItPoints() throws Exception {
        Path jar = Files.write(dir.resolve("outside.jar"), "referenced".getBytes(StandardCharsets.UTF_8));
        Path storage = dir.resolve("framework");
        Path revision = Files.createDirectories(storage.resolve("bundle3").resolve("version0.0"));
        Files.writeString(storage.resolve("bundle3").resolve("bundle.info"), "3\n");
        Files.writeString(revision.resolve("revision.location"), "reference:" + jar.toUri());
        BundleDigests.Digest digest = new BundleDigests(storage, null).of(bundle(3, "x", "1.0.0", 1,
                "reference:" + jar.toUri()), Map.of());
        assertThat(digest.sha256()).isEqualTo(hex("referenced".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aFileLocationIsReadWhenNothingElseKnows() throws Exception {
        Path jar = Files.write(dir.resolve("a b.jar"), "by location".getBytes(StandardCharsets.UTF_8));
        BundleDigests digests = new BundleDigests(dir.resolve("no-storage"), null);
        BundleDigests.Digest digest = digests.of(bundle(4, "x", "1.0.0", 1, jar.toUri().toString()), Map.of());
        assertThat(digest).isEqualTo(new BundleDigests.Digest(hex("by location".getBytes(StandardCharsets.UTF_8)),
                BundleDigests.Source.LOCATION));
        assertThat(digests.of(bundle(0, "org.apache.felix.framework", "7.0.5", 1, "System Bundle"), Map.of()))
                .isNull();
        assertThat(digests.of(bundle(5, "y", "1.0.0", 1, "file:" + dir.resolve("missing.jar")), Map.of())).isNull();
        assertThat(digests.of(bundle(6, "z", "1.0.0", 1, dir.toUri().toString()), Map.of())).as("a directory")
                .isNull();
    }
}
