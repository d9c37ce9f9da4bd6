package io.edgeflow.cloud.dashboard;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.provisioning.DeviceDetails;
import io.edgeflow.cloud.store.KeyRecord;
import io.edgeflow.cloud.tunnel.LocalResponse;
import io.edgeflow.cloud.tunnel.TunnelException;

/**
 * What the device page says after "Rotate key": the device's answer to {@code POST /api/v1/saas/rotate-key}, or, when
 * its tunnel closed before it answered, what this cloud's own records tell. Every device-supplied text goes through
 * the template's escaping.
 * <p>
 * Threading: stateless.
 */
final class RotationNotice {
    private RotationNotice() {
    }

    /**
     * @param answer the device's answer
     * @return a success with the new key's expiry (200, or 202 while the device keeps confirming), else the device's
     *         error code and message
     */
    static PageModels.Notice of(LocalResponse answer) {
        JsonNode body = Show.facts(new String(answer.body(), StandardCharsets.UTF_8));
        String expires = Show.fact(body, "expires_at");
        if (answer.status() == 200) {
            return new PageModels.Notice(true, "Key rotated: the device holds a new API key, confirmed by the cloud, "
                    + "valid until " + orDash(expires) + ". The previous key no longer works.");
        }
        if (answer.status() == 202) {
            return new PageModels.Notice(true, "Key rotated: the device holds a new API key, valid until "
                    + orDash(expires) + "; it keeps confirming it with the cloud (the previous key works until "
                    + orDash(Show.fact(body, "previous_key_valid_until")) + " or that confirmation).");
        }
        String code = Show.fact(body, "error");
        String message = Show.fact(body, "message");
        return new PageModels.Notice(false, "The device could not rotate its key (HTTP " + answer.status()
                + (code.isEmpty() ? "" : ", " + code) + ")" + (message.isEmpty() ? "." : ": " + message));
    }

    /**
     * @param device the device now
     * @param before the ids of its keys before the request
     * @param now the cloud's time
     * @return the usable key this cloud issued to the device since, or null
     */
    static KeyRecord newKey(DeviceDetails device, Set<String> before, long now) {
        for (KeyRecord k : device.keys()) {
            if (!before.contains(k.id()) && k.usable(now)) {
                return k;
            }
        }
        return null;
    }

    /**
     * @param cause why no answer came (a {@link TunnelException}: the device disconnected, timed out, went offline)
     * @param issued the key this cloud issued to the device since the request ({@link #newKey}), or null
     * @return a success if a new key was issued, else the failure
     */
    static PageModels.Notice cutShort(Throwable cause, KeyRecord issued) {
        if (issued != null) {
            // the device stored its new key and reconnected its tunnel with it before its answer was sent
            return new PageModels.Notice(true, "Key rotated: the cloud issued the device a new API key, valid until "
                    + Show.time(issued.expiresAt()) + ", and the device reconnected its tunnel with it. Its confirmation "
                    + "shows in the audit events below.");
        }
        String why = cause instanceof TunnelException e ? e.code() + ": " + e.getMessage()
                : "the request could not be forwarded";
        return new PageModels.Notice(false, "The device did not answer the key rotation (" + why + "); no new key "
                + "was issued.");
    }

    private static String orDash(String s) {
        return s.isEmpty() ? "-" : s;
    }
}
