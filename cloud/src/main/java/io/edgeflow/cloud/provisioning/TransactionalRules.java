package io.edgeflow.cloud.provisioning;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;

import io.edgeflow.cloud.credentials.Crockford;
import io.edgeflow.cloud.credentials.ProvisioningCode;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.CodeRecord;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DeviceRecord;
import io.edgeflow.cloud.store.KeyRecord;
import io.edgeflow.cloud.store.StoreTransaction;

/**
 * What every provisioning rule shares: the database, the clock, the source of secrets, and the way a
 * decision is taken: inside one database transaction that also writes its audit event, so what was
 * answered is what was stored, and a race for one code is decided by the database (a lost
 * compare-and-set re-reads and decides again).
 * <p>
 * Threading: immutable; any thread may take decisions at once, each in its own transaction.
 */
abstract class TransactionalRules {
    private static final int CAS_ATTEMPTS = 5;

    protected final Database db;
    protected final CloudSettings settings;
    protected final Clock clock;
    protected final SecureRandom random;

    TransactionalRules(Database db, CloudSettings settings, Clock clock, SecureRandom random) {
        this.db = db;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
    }

    /** The outcome of a transaction that may refuse: a value, or the error to answer after commit. */
    record Outcome<T>(T value, CloudError error) {
        static <T> Outcome<T> ok(T value) {
            return new Outcome<>(value, null);
        }

        static <T> Outcome<T> refused(CloudError error) {
            return new Outcome<>(null, error);
        }

        T get() throws CloudError {
            if (error != null) {
                throw error;
            }
            return value;
        }
    }

    /** A code's compare-and-set lost: re-read and decide again. */
    private static final class Conflict extends SQLException {
        private static final long serialVersionUID = 1L;

        Conflict() {
            super("concurrent update", null, null);
        }
    }

    protected <T> Outcome<T> decide(Database.Work<Outcome<T>> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return db.transaction(work);
            } catch (io.edgeflow.cloud.store.StoreException e) {
                if (!(e.getCause() instanceof Conflict) || attempt >= CAS_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    static void casCode(StoreTransaction tx, CodeRecord c) throws SQLException {
        if (!tx.updateCode(c)) {
            throw new Conflict();
        }
    }

    /** A pending registration that lost its claim: the device lapses and its keys end. */
    static void lapse(StoreTransaction tx, String deviceId, long now) throws SQLException {
        Optional<DeviceRecord> found = tx.findDevice(deviceId);
        if (found.isEmpty() || !DeviceRecord.PENDING.equals(found.get().status())) {
            return;
        }
        DeviceRecord d = found.get();
        retireKeys(tx, deviceId, null, now);
        tx.updateDevice(new DeviceRecord(d.id(), d.codeId(), d.requestId(), DeviceRecord.LAPSED, d.hardware(),
                d.network(), d.sourceAddress(), d.registeredAt(), null, null, now));
    }

    /** Retires every key of a device that is not retired yet, except {@code keepKeyId}. */
    static void retireKeys(StoreTransaction tx, String deviceId, String keepKeyId, long now)
            throws SQLException {
        for (KeyRecord k : tx.keysOf(deviceId)) {
            if (!KeyRecord.RETIRED.equals(k.status()) && !k.id().equals(keepKeyId)) {
                tx.updateKey(new KeyRecord(k.id(), k.deviceId(), k.keyHash(), k.hint(), KeyRecord.RETIRED,
                        k.createdAt(), k.expiresAt(), k.validUntil(), k.confirmedAt(), now));
            }
        }
    }

    static AuditEvent event(long now, String event, String result, String address, CodeRecord c,
            String deviceId, String requestId, String detail) {
        return new AuditEvent(0, now, event, result, address, c.id(), ProvisioningCode.mask(c.hint()), deviceId,
                requestId, detail);
    }

    static String safeId(String deviceId) {
        return deviceId != null && deviceId.length() <= 40 && deviceId.matches("[a-z0-9_]+") ? deviceId : null;
    }

    protected String newId(String prefix, int symbols) {
        return prefix + Crockford.randomSymbols(random, symbols).toLowerCase(Locale.ROOT);
    }

    static String iso(long millis) {
        return java.time.Instant.ofEpochMilli(millis).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
}
