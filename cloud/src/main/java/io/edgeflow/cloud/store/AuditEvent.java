package io.edgeflow.cloud.store;

/**
 * One line of the audit trail. Codes appear masked, keys never.
 *
 * @param id increasing identifier
 * @param at when
 * @param event what: {@code code_created}, {@code code_revoked}, {@code registration}, {@code confirmation},
 *        {@code key_rotation}, {@code device_revoked}, ...
 * @param result {@code ok} or the error code answered
 * @param sourceAddress the caller's address, or null
 * @param codeId the provisioning code concerned, or null
 * @param codeMask the code, masked, or null
 * @param deviceId the device concerned, or null
 * @param requestId the registration's {@code request_id}, or null
 * @param detail a short explanation, or null
 */
public record AuditEvent(long id, long at, String event, String result, String sourceAddress, String codeId,
        String codeMask, String deviceId, String requestId, String detail) {
}
