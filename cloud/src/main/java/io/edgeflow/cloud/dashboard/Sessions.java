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

import io.edgeflow.cloud.credentials.Hashes;

/**
 * The dashboard's sign-in sessions, in memory (a restart of the cloud signs everybody out). A session ends when it
 * has been idle for {@link #idleTimeout}, {@link #maxAge} after sign-in whatever happens, or at sign-out. Only the
 * SHA-256 of a session's cookie value is kept, so the table holds nothing a browser could present.
 * <p>
 * Threading: thread-safe; any request thread.
 */
final class Sessions {
    /** Most sessions at once: signing in beyond it ends the one idle longest. */
    static final int MAX_SESSIONS = 1000;

    private final Clock clock;
    private final SecureRandom random;
    private final Duration idleTimeout;
    private final Duration maxAge;
    private final Map<String, Session> byHash = new ConcurrentHashMap<>();

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
        this.clock = clock;
        this.random = random;
        this.idleTimeout = idleTimeout;
        this.maxAge = maxAge;
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
            byHash.remove(Hashes.sha256(cookieValue));
        }
    }

    /** @return how many sessions are running */
    int count() {
        expire(clock.millis());
        return byHash.size();
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
