package io.edgeflow.cloud.updates;

import java.sql.SQLException;

import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.StoreTransaction;

/**
 * The audit trail's lines about updates (artifacts, deployments, what devices report), cut to what the trail keeps:
 * a result of 32 characters, a detail of 500.
 * <p>
 * Threading: static functions without state; each writes inside the caller's transaction.
 */
final class UpdateAudit {
    private static final int MAX_RESULT = 32;
    private static final int MAX_DETAIL = 500;

    private UpdateAudit() {
    }

    /**
     * @param tx the caller's transaction
     * @param now when
     * @param event what happened ({@code deployment_created}, {@code artifact_deleted}, ...)
     * @param result {@code ok} or an error code
     * @param actor the admin's or the device's address, or null for the cloud itself
     * @param deviceId the device concerned, or null
     * @param detail the rest, for a person
     * @throws SQLException as the store throws it
     */
    static void record(StoreTransaction tx, long now, String event, String result, String actor, String deviceId,
            String detail) throws SQLException {
        tx.audit(new AuditEvent(0, now, event, clip(result, MAX_RESULT), actor, null, null, deviceId, null,
                clip(detail, MAX_DETAIL)));
    }

    /**
     * @param text text, or null
     * @param max the most characters kept
     * @return the text, or its start and {@code ...} if it is longer
     */
    static String clip(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
