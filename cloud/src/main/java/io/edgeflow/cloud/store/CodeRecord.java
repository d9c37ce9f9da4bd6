package io.edgeflow.cloud.store;

/**
 * A provisioning code as stored: its keyed hash, never the code. Times are epoch milliseconds; null
 * means "not happened".
 *
 * @param id public identifier, {@code pc_...}
 * @param codeHash HMAC-SHA-256 of the canonical code
 * @param hint last four symbols, for the masked form
 * @param label what the operator wrote, or null
 * @param createdAt creation time
 * @param expiresAt end of the code's TTL
 * @param revokedAt when an operator revoked it
 * @param claimDeviceId the device holding an unconfirmed claim (or that consumed it)
 * @param claimRequestId the {@code request_id} of that claim
 * @param claimUntil when the claim lapses unless confirmed
 * @param consumedAt when the claiming device confirmed its key
 * @param version optimistic-concurrency counter, bumped on every update
 */
public record CodeRecord(String id, String codeHash, String hint, String label, long createdAt, long expiresAt,
        Long revokedAt, String claimDeviceId, String claimRequestId, Long claimUntil, Long consumedAt, long version) {

    /** The states an operator sees. */
    public enum State {
        /** usable */
        ACTIVE,
        /** a device registered with it and has not confirmed yet */
        CLAIMED,
        /** a device registered with it and confirmed: used up for ever */
        CONSUMED,
        /** its TTL ended before it was used */
        EXPIRED,
        /** an operator revoked it */
        REVOKED;

        /** @return the lower-case name used in the API */
        public String apiName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param now the current time
     * @return true if an unconfirmed claim holds the code at {@code now}
     */
    public boolean claimActive(long now) {
        return consumedAt == null && revokedAt == null && claimDeviceId != null && claimUntil != null
                && now < claimUntil;
    }

    /**
     * @param now the current time
     * @return the state at {@code now}
     */
    public State state(long now) {
        if (revokedAt != null) {
            return State.REVOKED;
        }
        if (consumedAt != null) {
            return State.CONSUMED;
        }
        if (claimActive(now)) {
            return State.CLAIMED;
        }
        if (now >= expiresAt) {
            return State.EXPIRED;
        }
        return State.ACTIVE;
    }
}
