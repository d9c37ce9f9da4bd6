package io.edgeflow.cloud.server;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.credentials.ProvisioningCode;
import io.edgeflow.cloud.credentials.SecretToken;
import io.edgeflow.cloud.provisioning.DeviceDetails;
import io.edgeflow.cloud.provisioning.IssuedKey;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.CodeRecord;
import io.edgeflow.cloud.store.DeviceRecord;
import io.edgeflow.cloud.store.KeyRecord;
import io.edgeflow.cloud.tunnel.Presence;

/** The JSON shapes of the API (snake_case, times as ISO-8601 UTC to the second, absent values as null). */
final class Views {
    private Views() {
    }

    static String time(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String instant(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static Map<String, Object> code(CodeRecord c, long now) {
        Map<String, Object> m = new LinkedHashMap<>();
        CodeRecord.State state = c.state(now);
        m.put("id", c.id());
        m.put("code", ProvisioningCode.mask(c.hint()));
        m.put("label", c.label());
        m.put("state", state.apiName());
        m.put("created_at", time(c.createdAt()));
        m.put("expires_at", time(c.expiresAt()));
        boolean holder = state == CodeRecord.State.CLAIMED || state == CodeRecord.State.CONSUMED;
        m.put("device_id", holder ? c.claimDeviceId() : null);
        m.put("claim_expires_at", state == CodeRecord.State.CLAIMED ? time(c.claimUntil()) : null);
        m.put("consumed_at", time(c.consumedAt()));
        m.put("revoked_at", time(c.revokedAt()));
        return m;
    }

    static Map<String, Object> issuedKey(IssuedKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device_id", k.deviceId());
        m.put("api_key", k.apiKey());
        m.put("expires_at", time(k.expiresAt()));
        if (k.confirmBy() != null) {
            m.put("confirm_by", time(k.confirmBy()));
        }
        if (k.previousKeyValidUntil() != null) {
            m.put("previous_key_valid_until", time(k.previousKeyValidUntil()));
        }
        return m;
    }

    static Map<String, Object> device(DeviceDetails details, long now, ObjectMapper json, Presence presence) {
        DeviceRecord d = details.device();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device_id", d.id());
        m.put("status", d.status());
        m.put("online", presence.online());
        m.put("connected_since", instant(presence.connectedSince()));
        m.put("last_heartbeat", instant(presence.lastHeartbeat()));
        if (presence.node() != null) {
            m.put("node", presence.node()); // several nodes: the one holding the tunnel
        }
        m.put("provisioned_at", time(d.registeredAt()));
        m.put("confirmed_at", time(d.confirmedAt()));
        m.put("revoked_at", time(d.revokedAt()));
        m.put("key_expires_at", DeviceRecord.REVOKED.equals(d.status()) ? null : time(details.keyExpiresAt(now)));
        // a device an administrator created has no code and no registration request
        m.put("pre_provisioned", details.preProvisioned());
        m.put("code_id", details.preProvisioned() ? null : d.codeId());
        m.put("code", details.code() == null ? null : ProvisioningCode.mask(details.code().hint()));
        m.put("request_id", details.preProvisioned() ? null : d.requestId());
        m.put("source_address", d.sourceAddress());
        m.put("hardware", facts(d.hardware(), json));
        m.put("network", facts(d.network(), json));
        List<Map<String, Object>> keys = new ArrayList<>();
        for (KeyRecord k : details.keys()) {
            Map<String, Object> key = new LinkedHashMap<>();
            key.put("key", SecretToken.mask(SecretToken.API_KEY_PREFIX, k.hint()));
            key.put("status", k.status());
            key.put("usable", !DeviceRecord.REVOKED.equals(d.status()) && !DeviceRecord.LAPSED.equals(d.status())
                    && k.usable(now));
            key.put("created_at", time(k.createdAt()));
            key.put("expires_at", time(k.expiresAt()));
            key.put("valid_until", time(k.validUntil()));
            key.put("confirmed_at", time(k.confirmedAt()));
            key.put("retired_at", time(k.retiredAt()));
            keys.add(key);
        }
        m.put("keys", keys);
        return m;
    }

    private static JsonNode facts(String text, ObjectMapper json) {
        if (text == null) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return json.createObjectNode();
        }
    }

    static Map<String, Object> audit(AuditEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("at", time(e.at()));
        m.put("event", e.event());
        m.put("result", e.result());
        m.put("source_address", e.sourceAddress());
        m.put("code_id", e.codeId());
        m.put("code", e.codeMask());
        m.put("device_id", e.deviceId());
        m.put("request_id", e.requestId());
        m.put("detail", e.detail());
        return m;
    }
}
