package io.edgeflow.cloud.dashboard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.edgeflow.cloud.credentials.ProvisioningCode;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.AuditSearch;
import io.edgeflow.cloud.store.CodeRecord;

/**
 * Codes (every provisioning code, masked, with its state; revoke one) and Audit (the trail, filtered by event,
 * device and result in the database query, paged by event id).
 * <p>
 * Threading: stateless; any request thread.
 */
final class AuditPages {
    private static final int AUDIT_PAGE = 100;
    private static final int CODES_SHOWN = 500;

    private final ProvisioningService service;

    AuditPages(ProvisioningService service) {
        this.service = service;
    }

    void addTo(Dashboard dashboard) {
        dashboard.add("GET", Dashboard.ROOT + "/codes", this::codes, false);
        dashboard.add("POST", Dashboard.ROOT + "/codes/{id}/revoke", this::revokeCode, false);
        dashboard.add("GET", Dashboard.ROOT + "/audit", this::audit, false);
    }

    static PageModels.AuditLine line(AuditEvent e) {
        return new PageModels.AuditLine(e.id(), Show.time(e.at()), e.event(), e.result(), Show.text(e.sourceAddress()),
                Show.text(e.codeMask()), Show.text(e.deviceId()), Show.text(e.detail()));
    }

    private void codes(Exchange x) {
        long now = service.now();
        String state = x.query("state");
        List<PageModels.CodeLine> lines = new ArrayList<>();
        for (CodeRecord c : service.listCodes(CODES_SHOWN)) {
            String s = stateName(c.state(now));
            if (state.isEmpty() || state.equals(s)) {
                boolean revocable = c.revokedAt() == null && c.consumedAt() == null;
                lines.add(new PageModels.CodeLine(c.id(), ProvisioningCode.mask(c.hint()), Show.text(c.label()), s,
                        Show.time(c.createdAt()), Show.time(c.expiresAt()),
                        c.consumedAt() != null || c.claimActive(now) ? Show.text(c.claimDeviceId()) : "", revocable));
            }
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("chrome", x.chrome("Codes", "codes"));
        model.put("codes", lines);
        model.put("state", state);
        x.render(200, "codes.jte", model);
    }

    /** The states as an operator reads them: a code is unused, claimed, used, expired or revoked. */
    static String stateName(CodeRecord.State state) {
        return switch (state) {
            case ACTIVE -> "unused";
            case CONSUMED -> "used";
            default -> state.apiName();
        };
    }

    private void revokeCode(Exchange x) throws CloudError {
        service.revokeCode(x.param("id"), DevicePages.source(x));
        x.redirect(Dashboard.ROOT + "/codes");
    }

    private void audit(Exchange x) throws CloudError {
        long before = 0;
        if (!x.query("before").isEmpty()) {
            try {
                before = Long.parseLong(x.query("before"));
            } catch (NumberFormatException e) {
                throw new CloudError(400, "invalid_request", "'before' must be an event id (a whole number).");
            }
        }
        String event = x.query("event");
        String device = x.query("device");
        String result = x.query("result");
        if (event.length() > 64 || device.length() > 64 || result.length() > 64) {
            throw new CloudError(400, "invalid_request", "A filter is longer than 64 characters.");
        }
        List<PageModels.AuditLine> lines = new ArrayList<>();
        for (AuditEvent e : service.searchAudit(new AuditSearch(event, device, result, before, AUDIT_PAGE))) {
            lines.add(line(e));
        }
        String older = lines.size() == AUDIT_PAGE ? Show.url(Dashboard.ROOT + "/audit", "event", event, "device",
                device, "result", result, "before", Long.toString(lines.get(lines.size() - 1).id())) : null;
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("chrome", x.chrome("Audit", "audit"));
        model.put("events", lines);
        model.put("event", event);
        model.put("device", device);
        model.put("result", result);
        model.put("olderUrl", older);
        x.render(200, "audit.jte", model);
    }
}
