package io.edgeflow.cloud.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.edgeflow.cloud.FilePermissions;
import io.edgeflow.cloud.credentials.Crockford;
import io.edgeflow.cloud.credentials.Hashes;
import io.edgeflow.cloud.credentials.SecretToken;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.Database;

/**
 * The admin token: created at first start, kept in the database only as its SHA-256, and handed to the
 * local operator once, in the 0600 file {@code <data-dir>/admin-token} (as some CI servers hand over
 * their first admin password). The server never prints it.
 */
public final class AdminTokens {
    /** Name of the hand-over file in the data directory. */
    public static final String FILE_NAME = "admin-token";

    private final List<String> hashes;
    /** Where the hashes are read at each call (several nodes: a token revoked on one stops on all), or null. */
    private final Database shared;

    private AdminTokens(List<String> hashes) {
        this.hashes = List.copyOf(hashes);
        this.shared = null;
    }

    private AdminTokens(Database shared) {
        this.hashes = List.of();
        this.shared = shared;
    }

    /**
     * @param db the database several nodes share
     * @return tokens read from it at each call: one created or revoked by another node (its {@code
     *         --new-admin-token}) counts here at once
     */
    public AdminTokens sharedBy(Database db) {
        return new AdminTokens(db);
    }

    /**
     * Loads the admin tokens, creating one (and its hand-over file) if the database has none or a new one
     * is asked for.
     *
     * @param db the database
     * @param dataDir the data directory
     * @param clock the clock
     * @param random the source of randomness
     * @param replace true to revoke every existing token and hand over a new one
     * @param created receives the hand-over file's path if a token was created now
     * @return the tokens
     * @throws IOException if the hand-over file cannot be written
     */
    public static AdminTokens ensure(Database db, Path dataDir, Clock clock, SecureRandom random, boolean replace,
            java.util.function.Consumer<Path> created) throws IOException {
        List<String> existing = db.transaction(tx -> tx.adminTokenHashes());
        if (!existing.isEmpty() && !replace) {
            return new AdminTokens(existing);
        }
        String token = SecretToken.generate(random, SecretToken.ADMIN_TOKEN_PREFIX);
        Path file = dataDir.resolve(FILE_NAME);
        // The file first: if we die before the commit, the next start makes another token and file.
        FilePermissions.writeAtomically(file, (token + "\n").getBytes(StandardCharsets.US_ASCII), true);
        String hash = Hashes.sha256(token);
        String id = "adm_" + Crockford.randomSymbols(random, 16).toLowerCase(Locale.ROOT);
        long now = clock.millis();
        db.transaction(tx -> {
            if (replace) {
                tx.revokeAdminTokens(now);
            }
            tx.insertAdminToken(id, hash, now);
            tx.audit(new AuditEvent(0, now, "admin_token_created", "ok", null, null, null, null, null,
                    "handed over in " + file.toAbsolutePath() + (replace ? "; earlier admin tokens revoked" : "")));
            return null;
        });
        created.accept(file);
        return new AdminTokens(List.of(hash));
    }

    /**
     * @param authorization the request's {@code Authorization} header, or null
     * @return true if it carries a valid admin token; compared in constant time
     */
    public boolean accepts(String authorization) {
        Optional<String> token = bearer(authorization);
        if (token.isEmpty() || token.get().length() > 200) {
            return false;
        }
        String presented = Hashes.sha256(token.get());
        boolean ok = false;
        List<String> current = shared == null ? hashes : shared.transaction(tx -> tx.adminTokenHashes());
        for (String hash : current) {
            ok |= Hashes.equal(hash, presented);
        }
        return ok;
    }

    /**
     * @param authorization an {@code Authorization} header, or null
     * @return the token of a {@code Bearer} header
     */
    public static Optional<String> bearer(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String a = authorization.trim();
        if (a.length() < 8 || !a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = a.substring(7).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
}
