package io.edgeflow.cloud.provisioning;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.edgeflow.cloud.credentials.Hashes;
import io.edgeflow.cloud.credentials.ProvisioningCode;
import io.edgeflow.cloud.store.CodeRecord;
import io.edgeflow.cloud.store.Database;

/**
 * Provisioning codes: created (the only time a code's full text exists), listed, revoked.
 * <p>
 * Threading: immutable; see {@link TransactionalRules}.
 */
final class CodeBook extends TransactionalRules {
    private final byte[] codeHashKey;

    CodeBook(Database db, CloudSettings settings, Clock clock, SecureRandom random, byte[] codeHashKey) {
        super(db, settings, clock, random);
        this.codeHashKey = codeHashKey;
    }

    /**
     * Creates a provisioning code.
     *
     * @param ttlSeconds its TTL, or null for the default
     * @param label a label for people, or null
     * @param actor the admin's address, for the audit trail
     * @return the code
     * @throws CloudError 400 if the TTL or label is out of bounds
     */
    IssuedCode createCode(Long ttlSeconds, String label, String actor) throws CloudError {
        Duration ttl = settings.defaultCodeTtl();
        if (ttlSeconds != null) {
            if (ttlSeconds < 1 || ttlSeconds > settings.maxCodeTtl().toSeconds()) {
                throw CloudError.invalidRequest("ttl_seconds", "must be between 1 and "
                        + settings.maxCodeTtl().toSeconds() + " (the server's maximum code TTL)");
            }
            ttl = Duration.ofSeconds(ttlSeconds);
        }
        if (label != null && (label.length() > 200 || label.chars().anyMatch(Character::isISOControl))) {
            throw CloudError.invalidRequest("label", "must be at most 200 characters without control characters");
        }
        Duration codeTtl = ttl;
        for (int attempt = 0; attempt < 5; attempt++) {
            ProvisioningCode code = ProvisioningCode.generate(random);
            String hash = Hashes.codeHash(codeHashKey, code);
            String id = newId("pc_", 16);
            long now = clock.millis();
            CodeRecord record = new CodeRecord(id, hash, code.hint(), label, now, now + codeTtl.toMillis(), null, null,
                    null, null, null, 0);
            boolean created = db.transaction(tx -> {
                if (tx.findCodeByHash(hash).isPresent()) {
                    return false; // 40 bits: a collision with a past code is rare, not impossible
                }
                tx.insertCode(record);
                tx.audit(event(now, "code_created", "ok", actor, record, null, null,
                        "ttl " + codeTtl.toSeconds() + " s" + (label == null ? "" : ", label \"" + label + "\"")));
                return true;
            });
            if (created) {
                return new IssuedCode(record, code);
            }
        }
        throw new IllegalStateException("no unused provisioning code found in 5 draws: the random source is broken");
    }

    /**
     * @param limit most codes
     * @return codes, newest first
     */
    List<CodeRecord> listCodes(int limit) {
        return db.transaction(tx -> tx.listCodes(limit));
    }

    /**
     * @param id a code's identifier
     * @return the code
     * @throws CloudError 404 if there is none
     */
    CodeRecord code(String id) throws CloudError {
        return db.transaction(tx -> tx.findCode(id)).orElseThrow(() -> codeNotFound(id));
    }

    private static CloudError codeNotFound(String id) {
        return new CloudError(404, "not_found", "No provisioning code with id " + id + ".");
    }

    /**
     * Revokes a code: it can never register a device. A device holding an unconfirmed claim on it loses
     * that claim and its key at once.
     *
     * @param id the code's identifier
     * @param actor the admin's address
     * @return the code afterwards
     * @throws CloudError 404 if there is no such code, 409 {@code code_consumed} if a device already
     *         confirmed it (revoke the device instead)
     */
    CodeRecord revokeCode(String id, String actor) throws CloudError {
        return decide(tx -> {
            long now = clock.millis();
            Optional<CodeRecord> found = tx.findCode(id);
            if (found.isEmpty()) {
                return Outcome.refused(codeNotFound(id));
            }
            CodeRecord c = found.get();
            if (c.consumedAt() != null) {
                return Outcome.refused(new CloudError(409, "code_consumed", "Code " + c.id() + " was already used by "
                        + c.claimDeviceId() + "; revoke that device instead."));
            }
            if (c.revokedAt() != null) {
                return Outcome.ok(c);
            }
            if (c.claimActive(now)) {
                lapse(tx, c.claimDeviceId(), now);
            }
            CodeRecord revoked = new CodeRecord(c.id(), c.codeHash(), c.hint(), c.label(), c.createdAt(),
                    c.expiresAt(), now, c.claimDeviceId(), c.claimRequestId(), c.claimUntil(), null, c.version());
            casCode(tx, revoked);
            tx.audit(event(now, "code_revoked", "ok", actor, c, c.claimActive(now) ? c.claimDeviceId() : null, null,
                    null));
            return Outcome.ok(tx.findCode(id).orElseThrow());
        }).get();
    }
}
