package io.edgeflow.cloud.provisioning;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.CodeRecord;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.store.DeviceRecord;
import io.edgeflow.cloud.store.StoreTransaction;

/**
 * The registered devices as an operator sees them (listed, shown, revoked) and the audit trail.
 * <p>
 * Threading: immutable; see {@link TransactionalRules}.
 */
final class DeviceRegistry extends TransactionalRules {
    DeviceRegistry(Database db, CloudSettings settings, Clock clock, SecureRandom random) {
        super(db, settings, clock, random);
    }

    /**
     * Records an operator's request that changes something on a device, sent through its tunnel. The
     * body and the query string are never recorded (a provisioning code may travel in them).
     *
     * @param address the admin's address
     * @param deviceId the device
     * @param method the method ({@code POST}, {@code PUT}, {@code DELETE})
     * @param path the path on the device, without its query string
     * @param result the device's HTTP status, or the error code when there was no answer
     */
    void auditRemoteAccess(String address, String deviceId, String method, String path, String result) {
        long now = clock.millis();
        db.transaction(tx -> {
            tx.audit(new AuditEvent(0, now, "remote_access", result, address, null, null, deviceId, null,
                    method + " " + path));
            return null;
        });
    }

    /**
     * @param limit most devices
     * @return devices with their keys, newest first
     */
    List<DeviceDetails> listDevices(int limit) {
        return db.transaction(tx -> {
            List<DeviceDetails> list = new ArrayList<>();
            for (DeviceRecord d : tx.listDevices(limit)) {
                list.add(new DeviceDetails(d, tx.keysOf(d.id()), tx.findCode(d.codeId()).orElse(null)));
            }
            return list;
        });
    }

    /**
     * @param id a Device ID
     * @return the device
     * @throws CloudError 404 if there is none
     */
    DeviceDetails device(String id) throws CloudError {
        return db.transaction(tx -> details(tx, id)).orElseThrow(() -> deviceNotFound(id));
    }

    private static Optional<DeviceDetails> details(StoreTransaction tx, String id) throws SQLException {
        Optional<DeviceRecord> d = tx.findDevice(id);
        if (d.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new DeviceDetails(d.get(), tx.keysOf(id), tx.findCode(d.get().codeId()).orElse(null)));
    }

    private static CloudError deviceNotFound(String id) {
        return new CloudError(404, "not_found", "No device with id " + id + ".");
    }

    /**
     * Revokes a device: every key it holds stops working at once. A device that had not confirmed yet
     * also releases its claim on the code.
     *
     * @param id the Device ID
     * @param actor the admin's address
     * @return the device afterwards
     * @throws CloudError 404 if there is no such device
     */
    DeviceDetails revokeDevice(String id, String actor) throws CloudError {
        return decide(tx -> {
            long now = clock.millis();
            Optional<DeviceRecord> found = tx.findDevice(id);
            if (found.isEmpty()) {
                return Outcome.<DeviceDetails>refused(deviceNotFound(id));
            }
            DeviceRecord d = found.get();
            if (!DeviceRecord.REVOKED.equals(d.status())) {
                retireKeys(tx, id, null, now);
                tx.updateDevice(new DeviceRecord(d.id(), d.codeId(), d.requestId(), DeviceRecord.REVOKED, d.hardware(),
                        d.network(), d.sourceAddress(), d.registeredAt(), d.confirmedAt(), now, now));
                Optional<CodeRecord> code = tx.findCode(d.codeId());
                if (code.isPresent() && code.get().claimActive(now) && id.equals(code.get().claimDeviceId())) {
                    CodeRecord c = code.get();
                    casCode(tx, new CodeRecord(c.id(), c.codeHash(), c.hint(), c.label(), c.createdAt(), c.expiresAt(),
                            c.revokedAt(), c.claimDeviceId(), c.claimRequestId(), now, null, c.version()));
                }
                tx.audit(new AuditEvent(0, now, "device_revoked", "ok", actor, d.codeId(), null, id, null,
                        "was " + d.status()));
                // the other clouds on a shared store close its tunnel if they hold it (on commit only)
                tx.announceRevocation(id);
            }
            return Outcome.ok(details(tx, id).orElseThrow());
        }).get();
    }

    /**
     * @param beforeId only events older than this identifier, or 0
     * @param limit most events
     * @return audit events, newest first
     */
    List<AuditEvent> audit(long beforeId, int limit) {
        return db.transaction(tx -> tx.listAudit(beforeId, limit));
    }
}
