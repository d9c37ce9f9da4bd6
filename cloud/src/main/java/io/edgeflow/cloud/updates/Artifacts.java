package io.edgeflow.cloud.updates;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.List;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeflow.cloud.FilePermissions;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.store.ArtifactRecord;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.SignatureRecord;

/**
 * The artifacts (bundle jars) devices are updated with: stored content-addressed in
 * {@code <data-dir>/artifacts/<sha256>} (written to {@code incoming/} first, fsynced, renamed), described in the
 * database with their publishers' signatures (each verified before it is stored), and the cloud's own release key
 * ({@code <data-dir>/release-key.pem}, mode 0600, made on first use; its private key never leaves that file).
 * <p>
 * Threading: safe for any number of request threads; every decision is one database transaction.
 */
public final class Artifacts {
    private static final Logger LOG = LoggerFactory.getLogger(Artifacts.class);
    /** The cloud's release key, PKCS#8 PEM, mode 0600. */
    public static final String RELEASE_KEY_FILE = "release-key.pem";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Database db;
    private final Path dir;
    private final Path incoming;
    private final Path releaseKeyFile;
    private final Clock clock;
    private final long maxBytes;
    private final Object releaseKeyLock = new Object();

    /** An artifact and whether this call stored it (false: the same bytes were there already). */
    public record Stored(ArtifactRecord artifact, boolean created) {
    }

    /**
     * @param db the database
     * @param dataDir the data directory
     * @param clock the clock
     * @param maxBytes the largest artifact accepted
     * @throws IOException if the artifact directories cannot be made
     */
    public Artifacts(Database db, Path dataDir, Clock clock, long maxBytes) throws IOException {
        this.db = db;
        this.dir = dataDir.resolve("artifacts");
        this.incoming = dir.resolve("incoming");
        this.releaseKeyFile = dataDir.resolve(RELEASE_KEY_FILE);
        this.clock = clock;
        this.maxBytes = maxBytes;
        FilePermissions.createPrivateDirectory(dir);
        FilePermissions.createPrivateDirectory(incoming);
        // uploads a stop cut short
        try (var stale = Files.list(incoming)) {
            for (Path p : (Iterable<Path>) stale::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** @return the largest artifact accepted, in bytes */
    public long maxBytes() {
        return maxBytes;
    }

    /** @return where uploads are written before they are stored */
    public Path incoming() {
        return incoming;
    }

    /**
     * @param sha256 an artifact
     * @return its file
     */
    public Path file(String sha256) {
        return dir.resolve(sha256);
    }

    /**
     * @param text a path segment
     * @return it, if it is a SHA-256 in lower-case hex
     * @throws CloudError 404 otherwise
     */
    public static String checkSha256(String text) throws CloudError {
        if (text == null || !SHA256.matcher(text).matches()) {
            throw new CloudError(404, "not_found", "No artifact " + shortly(text)
                    + " (an artifact is named by its SHA-256, 64 lower-case hex digits).");
        }
        return text;
    }

    /**
     * Stores an upload that arrived whole in {@link #incoming()}: refuses what is not a bundle, else moves it to its
     * place and records it (once: the same bytes again are the same artifact).
     *
     * @param upload the temporary file; gone afterwards
     * @param sha256 its SHA-256
     * @param size its size
     * @param actor the admin's address
     * @return the artifact
     * @throws CloudError 400 {@code not_a_bundle}
     * @throws IOException if it cannot be stored
     */
    public Stored store(Path upload, String sha256, long size, String actor) throws CloudError, IOException {
        try {
            BundleManifest manifest;
            try {
                manifest = BundleManifest.read(upload);
            } catch (BundleManifest.NotABundle e) {
                audit("artifact_upload", "not_a_bundle", actor, null, sha256 + ": " + e.getMessage());
                throw new CloudError(400, "not_a_bundle", e.getMessage());
            }
            Path target = file(sha256);
            if (!Files.exists(target)) {
                try {
                    Files.move(upload, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(upload, target, StandardCopyOption.REPLACE_EXISTING);
                }
                syncDirectory(dir);
            }
            long now = clock.millis();
            return db.transaction(tx -> {
                var existing = tx.findArtifact(sha256);
                if (existing.isPresent()) {
                    return new Stored(existing.get(), false);
                }
                ArtifactRecord a = new ArtifactRecord(sha256, manifest.symbolicName(), manifest.version(), size, now,
                        List.of());
                tx.insertArtifact(a);
                UpdateAudit.record(tx, now, "artifact_uploaded", "ok", actor, null,
                        sha256 + " " + manifest.symbolicName() + " " + manifest.version() + " (" + size + " bytes)");
                return new Stored(a, true);
            });
        } finally {
            Files.deleteIfExists(upload);
        }
    }

    /**
     * @param sha256 an artifact
     * @return it
     * @throws CloudError 404 if there is none
     */
    public ArtifactRecord get(String sha256) throws CloudError {
        checkSha256(sha256);
        var a = db.transaction(tx -> tx.findArtifact(sha256));
        if (a.isEmpty()) {
            throw new CloudError(404, "not_found", "No artifact " + sha256 + ".");
        }
        return a.get();
    }

    /**
     * @param limit most artifacts
     * @return artifacts, newest first
     */
    public List<ArtifactRecord> list(int limit) {
        return db.transaction(tx -> tx.listArtifacts(limit));
    }

    /**
     * Deletes an artifact no unfinished deployment uses.
     *
     * @param sha256 the artifact
     * @param actor the admin's address
     * @return what was deleted
     * @throws CloudError 404, or 409 {@code artifact_in_use} naming the deployments
     * @throws IOException if its file cannot be removed
     */
    public ArtifactRecord delete(String sha256, String actor) throws CloudError, IOException {
        ArtifactRecord a = get(sha256);
        long now = clock.millis();
        List<String> users = db.transaction(tx -> {
            List<String> using = tx.unfinishedDeploymentsUsing(sha256);
            if (using.isEmpty()) {
                tx.deleteArtifact(sha256);
                UpdateAudit.record(tx, now, "artifact_deleted", "ok", actor, null,
                        sha256 + " " + a.symbolicName() + " " + a.version());
            } else {
                UpdateAudit.record(tx, now, "artifact_deleted", "artifact_in_use", actor, null,
                        sha256 + " used by " + String.join(", ", using));
            }
            return using;
        });
        if (!users.isEmpty()) {
            throw new CloudError(409, "artifact_in_use", "Artifact " + sha256 + " is used by deployment(s) "
                    + String.join(", ", users) + " that are not finished; cancel them first.");
        }
        Files.deleteIfExists(file(sha256));
        return a;
    }

    /**
     * Adds a publisher's signature after verifying it.
     *
     * @param sha256 the artifact
     * @param key the publisher's public key
     * @param signature base64
     * @param actor the admin's address
     * @return the artifact afterwards, and whether the signature is new
     * @throws CloudError 404, 400 {@code invalid_signature}
     */
    public Stored addSignature(String sha256, PublisherKey key, String signature, String actor) throws CloudError {
        ArtifactRecord a = get(sha256);
        long now = clock.millis();
        if (!key.verifies(sha256, signature)) {
            audit("artifact_signed", "invalid_signature", actor, null, sha256 + " key " + key.id());
            throw new CloudError(400, "invalid_signature", "The signature does not verify under key " + key.id()
                    + " for artifact " + sha256 + " (what is signed: 'edgeflow-artifact:v1:' + the SHA-256 in hex).");
        }
        boolean known = a.signatures().stream().anyMatch(s -> s.keyId().equals(key.id())
                && s.signature().equals(signature));
        if (known) {
            return new Stored(a, false);
        }
        ArtifactRecord after = db.transaction(tx -> {
            tx.putSignature(sha256, new SignatureRecord(key.id(), key.text(), signature, now));
            UpdateAudit.record(tx, now, "artifact_signed", "ok", actor, null, sha256 + " key " + key.id());
            return tx.findArtifact(sha256).orElseThrow();
        });
        return new Stored(after, true);
    }

    /**
     * Signs an artifact with the cloud's release key (made on first use).
     *
     * @param sha256 the artifact
     * @param actor the admin's address
     * @return the artifact afterwards
     * @throws CloudError 404
     * @throws IOException if the release key cannot be read or made
     */
    public Stored signWithReleaseKey(String sha256, String actor) throws CloudError, IOException {
        get(sha256);
        PrivateKey key = releasePrivateKey(actor);
        String signature;
        try {
            signature = PublisherKey.sign(key, sha256);
        } catch (java.security.InvalidKeyException e) {
            throw new IOException(releaseKeyFile + " does not hold an Ed25519 key", e);
        }
        return addSignature(sha256, PublisherKey.of(KeyFiles.publicKeyOf(key)), signature, actor);
    }

    /**
     * @param actor the admin's address (the key's creation is audited)
     * @return the release key's public half (made on first use)
     * @throws IOException if it cannot be read or made
     */
    public PublisherKey releaseKey(String actor) throws IOException {
        return PublisherKey.of(KeyFiles.publicKeyOf(releasePrivateKey(actor)));
    }

    private PrivateKey releasePrivateKey(String actor) throws IOException {
        synchronized (releaseKeyLock) {
            if (Files.exists(releaseKeyFile)) {
                return KeyFiles.readPrivateKey(releaseKeyFile);
            }
            KeyPair pair = KeyFiles.generate();
            KeyFiles.writePrivateKey(pair.getPrivate(), releaseKeyFile);
            PublisherKey pub = PublisherKey.of(pair.getPublic());
            audit("release_key_created", "ok", actor, null, "key " + pub.id());
            LOG.info("Created the release key {} in {} (mode 0600)", pub.id(), releaseKeyFile);
            return pair.getPrivate();
        }
    }

    /**
     * @param deviceId a device
     * @param sha256 an artifact
     * @return true if a deployment that targets the device uses it
     */
    public boolean targets(String deviceId, String sha256) {
        return db.transaction(tx -> tx.artifactTargets(deviceId, sha256));
    }

    private void audit(String event, String result, String actor, String deviceId, String detail) {
        long now = clock.millis();
        db.transaction(tx -> {
            UpdateAudit.record(tx, now, event, result, actor, deviceId, detail);
            return null;
        });
    }

    private static String shortly(String text) {
        if (text == null) {
            return "''";
        }
        String t = text.length() > 70 ? text.substring(0, 70) + "..." : text;
        return "'" + t.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }

    private static void syncDirectory(Path dir) {
        try (var channel = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can fsync a directory
        }
    }
}
