package io.edgeflow.cloud.store;

/**
 * A device API key as stored: its SHA-256, never the key.
 *
 * @param id internal identifier
 * @param deviceId the device it belongs to
 * @param keyHash SHA-256 of the key
 * @param hint last four characters, for the masked form {@code efk_…9f2a}
 * @param status {@link #PENDING}, {@link #ACTIVE} or {@link #RETIRED}
 * @param createdAt when it was issued
 * @param expiresAt end of its lifetime
 * @param validUntil an earlier end: the claim's grace for a key not confirmed yet, the overlap window
 *        for a key being rotated away; null when only {@code expiresAt} applies
 * @param confirmedAt when the device confirmed it
 * @param retiredAt when it was superseded or revoked
 */
public record KeyRecord(String id, String deviceId, String keyHash, String hint, String status, long createdAt,
        long expiresAt, Long validUntil, Long confirmedAt, Long retiredAt) {
    /** Issued, not confirmed yet (it works meanwhile, until {@code validUntil}). */
    public static final String PENDING = "pending";
    /** Confirmed by the device. */
    public static final String ACTIVE = "active";
    /** Superseded, lapsed or revoked: never works again. */
    public static final String RETIRED = "retired";

    /**
     * @param now the current time
     * @return true if the key authenticates at {@code now} (the device's own state aside)
     */
    public boolean usable(long now) {
        return !RETIRED.equals(status) && now < expiresAt && (validUntil == null || now < validUntil);
    }
}
