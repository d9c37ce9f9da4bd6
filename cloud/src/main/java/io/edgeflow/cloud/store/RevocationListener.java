package io.edgeflow.cloud.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Hears the revocations other clouds on the same PostgreSQL store commit ({@code LISTEN}; sent by
 * {@link StoreTransaction#announceRevocation} with {@code pg_notify}, delivered on commit only) and hands
 * each revoked device ID to the listener, on a daemon thread of its own with a connection of its own, kept
 * outside the pool. A lost connection is opened again a second later; revocations committed meanwhile are
 * missed, and their tunnels end when the device next connects (its key is checked then).
 */
final class RevocationListener implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RevocationListener.class);

    private final DatabaseUrl url;
    private final Consumer<String> listener;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;

    RevocationListener(DatabaseUrl url, Consumer<String> listener) {
        this.url = url;
        this.listener = listener;
        this.thread = new Thread(this::run, "store-revocations");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!closed) {
            try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + Dialect.REVOCATIONS);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notes = pg.getNotifications(500);
                    if (notes != null) {
                        for (PGNotification note : notes) {
                            listener.accept(note.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("Not hearing revocations from other clouds on {}: {}; trying again in 1 s", url,
                            e.getMessage());
                    pause();
                }
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // stopping anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
