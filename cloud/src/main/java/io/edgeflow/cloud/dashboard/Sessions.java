package io.edgeflow.cloud.dashboard;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeflow.cloud.LogText;
import io.edgeflow.cloud.credentials.Hashes;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.SessionRows.SessionRow;
import io.edgeflow.cloud.store.StoreException;

/**
 * The dashboard's sign-in sessions, in memory (a restart of the cloud signs everybody out). A session ends when it
 * has been idle for {@link #idleTimeout}, {@link #maxAge} after sign-in whatever happens, or at sign-out. Only the
 * SHA-256 of a session's cookie value is kept, so the table holds nothing a browser could present.
 * <p>
 * With several nodes ({@link #Sessions(Clock, SecureRandom, Duration, Duration, Database)} with a store) the
 * sessions are rows of the store the nodes share ({@code dashboard_sessions}, still only the hash): a browser
 * signed in through one node is signed in on all, and signing out or expiry on one ends it on all. The CSRF
 * token is then derived from the cookie (a SHA-256 of it, under a label) instead of stored. If the store fails,
 * the browser is treated as signed out (logged).
 * <p>
 * Threading: thread-safe; any request thread.
 */
final class Sessions {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    /** Most sessions at once: signing in beyond it ends the one idle longest. */
    static final int MAX_SESSIONS = 1000;

    private final Clock clock;
    private final SecureRandom random;
    private final Duration idleTimeout;
    private final Duration maxAge;
    private final Map<String, Session> byHash = new ConcurrentHashMap<>();
    private final Database shared;

    /**
     * A signed-in browser.
     *
     * @param csrfToken the token every change must carry (a form field or the {@code X-CSRF-Token} header)
     * @param signedInAt epoch ms
     * @param lastSeenAt epoch ms of its last request
     */
    record Session(String csrfToken, long signedInAt, long lastSeenAt) {
        /** @return true if {@code presented} is this session's CSRF token (compared in constant time) */
        boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(csrfToken.getBytes(java.nio.charset.StandardCharsets
                    .UTF_8), presented.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** A new session and the cookie value that names it (handed to the browser once, never stored). */
    record Started(String cookieValue, Session session) {
    }

    Sessions(Clock clock, SecureRandom random, Duration idleTimeout, Duration maxAge) {
        this(clock, random, idleTimeout, maxAge, null);
    }

    /** @param shared the store the nodes share, or null for a single node's sessions in memory */
    Sessions(Clock clock, SecureRandom random, Duration idleTimeout, Duration maxAge, Database shared) {
        this.clock = clock;
        this.random = random;
        this.idleTimeout = idleTimeout;
        this.maxAge = maxAge;
        this.shared = shared;
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    Duration maxAge() {
        return maxAge;
    }

    /** @return a new session, for a browser that has just presented the admin token */
    Started start() {
        long now = clock.millis();
        if (shared != null) {
            String cookie = token();
            shared.transaction(tx -> {
                tx.sessions().removeEnded(now - idleTimeout.toMillis(), now - maxAge.toMillis());
                tx.sessions().add(Hashes.sha256(cookie), now);
                return null;
            });
            return new Started(cookie, new Session(csrfOf(cookie), now, now));
        }
        expire(now);
        while (byHash.size() >= MAX_SESSIONS) {
            byHash.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().lastSeenAt()))
                    .ifPresent(e -> byHash.remove(e.getKey()));
        }
        String cookie = token();
        Session session = new Session(token(), now, now);
        byHash.put(Hashes.sha256(cookie), session);
        return new Started(cookie, session);
    }

    /**
     * @param cookieValue the session cookie's value, or null
     * @return the session it names, if that is still running (its idle time then starts again)
     */
    Optional<Session> find(String cookieValue) {
        if (cookieValue == null || cookieValue.isEmpty() || cookieValue.length() > 100) {
            return Optional.empty();
        }
        String hash = Hashes.sha256(cookieValue);
        long now = clock.millis();
        if (shared != null) {
            return findShared(cookieValue, hash, now);
        }
        Session s = byHash.get(hash);
        if (s == null) {
            return Optional.empty();
        }
        if (ended(s, now)) {
            byHash.remove(hash, s);
            return Optional.empty();
        }
        Session seen = new Session(s.csrfToken(), s.signedInAt(), now);
        byHash.replace(hash, s, seen);
        return Optional.of(seen);
    }

    /** Ends the session the cookie names, if any. */
    void end(String cookieValue) {
        if (cookieValue != null && cookieValue.length() <= 100) {
            String hash = Hashes.sha256(cookieValue);
            if (shared != null) {
                shared.transaction(tx -> {
                    tx.sessions().remove(hash);
                    return null;
                });
            }
            byHash.remove(hash);
        }
    }

    /** @return how many sessions are running */
    int count() {
        long now = clock.millis();
        if (shared != null) {
            Integer n = shared.transaction(tx -> {
                tx.sessions().removeEnded(now - idleTimeout.toMillis(), now - maxAge.toMillis());
                return tx.sessions().count();
            });
            return n;
        }
        expire(now);
        return byHash.size();
    }

    private Optional<Session> findShared(String cookieValue, String hash, long now) {
        try {
            Optional<SessionRow> row = shared.transaction(tx -> {
                Optional<SessionRow> found = tx.sessions().find(hash);
                if (found.isPresent()) {
                    if (now - found.get().lastSeenAt() >= idleTimeout.toMillis()
                            || now - found.get().signedInAt() >= maxAge.toMillis()) {
                        tx.sessions().remove(hash);
                        return Optional.<SessionRow>empty();
                    }
                    tx.sessions().seen(hash, now);
                }
                return found;
            });
            return row.map(r -> new Session(csrfOf(cookieValue), r.signedInAt(), now));
        } catch (StoreException e) {
            LOG.error("Could not read a dashboard session from the shared store (treated as signed out): {}",
                    LogText.of(e), e);
            return Optional.empty();
        }
    }

    /** The CSRF token of a shared session: known to whoever holds the cookie, stored nowhere. */
    private static String csrfOf(String cookieValue) {
        return Hashes.sha256("edgeflow dashboard csrf\n" + cookieValue);
    }

    private boolean ended(Session s, long now) {
        return now - s.lastSeenAt() >= idleTimeout.toMillis() || now - s.signedInAt() >= maxAge.toMillis();
    }

    private void expire(long now) {
        byHash.values().removeIf(s -> ended(s, now));
    }

    private String token() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
