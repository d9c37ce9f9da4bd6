package io.edgeflow.cloud.store;

/**
 * A device as stored.
 *
 * @param id the Device ID, {@code dev_...}
 * @param codeId the provisioning code it registered with
 * @param requestId the {@code request_id} the device chose for its registration
 * @param status {@link #PENDING}, {@link #ACTIVE}, {@link #LAPSED} or {@link #REVOKED}
 * @param hardware the hardware facts it reported, as JSON text
 * @param network the network facts it reported, as JSON text
 * @param sourceAddress where its last registration came from
 * @param registeredAt its first registration
 * @param confirmedAt when it confirmed its key
 * @param revokedAt when an operator revoked it
 * @param updatedAt last change
 */
public record DeviceRecord(String id, String codeId, String requestId, String status, String hardware,
        String network, String sourceAddress, long registeredAt, Long confirmedAt, Long revokedAt, long updatedAt) {
    /** Registered, key not yet confirmed. */
    public static final String PENDING = "pending";
    /** Confirmed: the device holds its key. */
    public static final String ACTIVE = "active";
    /** Never confirmed within the grace period; its code went to another registration. */
    public static final String LAPSED = "lapsed";
    /** Revoked by an operator: every key stopped working. */
    public static final String REVOKED = "revoked";
}
