package io.edgeflow.cloud.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.MutableClock;
import io.edgeflow.cloud.TestCloud;
import io.edgeflow.cloud.store.Database;

/**
 * The sessions of several nodes, two {@link Sessions} on one store: what one starts the other finds, with the same
 * CSRF token; idle time and age end a session on both; so does sign-out on either.
 */
class SharedSessionsTest {
    private static final Duration IDLE = Duration.ofMinutes(30);
    private static final Duration MAX_AGE = Duration.ofHours(8);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(TestCloud.START);

    private Sessions node(Database db) {
        return new Sessions(clock, new SecureRandom(), IDLE, MAX_AGE, db);
    }

    @Test
    void aSessionStartedOnOneNodeIsFoundOnTheOtherUntilSignOut() throws Exception {
        try (Database db = Database.open(dir)) {
            Sessions a = node(db);
            Sessions b = node(db);
            Sessions.Started started = a.start();
            assertThat(b.find(started.cookieValue())).get().extracting(Sessions.Session::csrfToken)
                    .isEqualTo(started.session().csrfToken());
            assertThat(b.find(started.cookieValue() + "x")).isEmpty();
            assertThat(a.count()).isEqualTo(1);
            b.end(started.cookieValue());
            assertThat(a.find(started.cookieValue())).isEmpty();
            assertThat(b.count()).isZero();
        }
    }

    @Test
    void idleTimeSeenOnEitherNodeAndMaximumAgeEndItOnBoth() throws Exception {
        try (Database db = Database.open(dir)) {
            Sessions a = node(db);
            Sessions b = node(db);
            String cookie = a.start().cookieValue();
            String other = b.start().cookieValue();
            assertThat(a.start().session().csrfToken()).isNotEqualTo(a.find(cookie).orElseThrow().csrfToken());
            clock.advance(IDLE.minusMinutes(1));
            assertThat(b.find(cookie)).as("a request on node B keeps it running").isPresent();
            clock.advance(IDLE.minusMinutes(1));
            assertThat(a.find(cookie)).as("node A sees node B's request").isPresent();
            assertThat(a.find(other)).as("idle on both").isEmpty();
            for (int i = 0; i < 20; i++) {
                clock.advance(IDLE.minusMinutes(1));
                b.find(cookie);
            }
            assertThat(a.find(cookie)).as("older than the maximum age").isEmpty();
            assertThat(b.count()).isZero();
        }
    }
}
