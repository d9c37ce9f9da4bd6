package io.edgeflow.cloud.nodes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeflow.cloud.LogText;
import io.edgeflow.cloud.provisioning.SharedFailures;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.StoreException;

/**
 * Failed code attempts and lockouts in the store the nodes share (tables {@code failed_code_attempts},
 * {@code address_lockouts}). If the store fails, the node's own counts in memory still hold: the failure is
 * logged and the attempt goes on as on a single node.
 */
public final class StoreFailures implements SharedFailures {
    private static final Logger LOG = LoggerFactory.getLogger(StoreFailures.class);

    private final Database db;

    /** @param db the store the nodes share */
    public StoreFailures(Database db) {
        this.db = db;
    }

    @Override
    public long lockedUntil(String key) {
        try {
            Long until = db.transaction(tx -> tx.nodes().lockedUntil(key));
            return until;
        } catch (StoreException e) {
            LOG.error("Could not read the shared lockout of {}: {}", LogText.of(key), LogText.of(e), e);
            return 0;
        }
    }

    @Override
    public boolean failed(String key, long now, long windowMillis, int maxFailures, long lockoutMillis) {
        try {
            Boolean started = db.transaction(tx -> tx.nodes().failed(key, now, windowMillis, maxFailures,
                    lockoutMillis));
            return started;
        } catch (StoreException e) {
            // two nodes locking one address out at once: the other's lockout stands
            LOG.warn("Could not count a failed code of {} with the other nodes: {}", LogText.of(key), LogText.of(e));
            return false;
        }
    }
}
