package io.edgeflow.cloud.dashboard;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.LogText;
import io.edgeflow.cloud.Durations;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.provisioning.DeviceDetails;
import io.edgeflow.cloud.provisioning.DevicePage;
import io.edgeflow.cloud.provisioning.IssuedCode;
import io.edgeflow.cloud.provisioning.IssuedKey;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.server.DeviceEnvFile;
import io.edgeflow.cloud.store.AuditEvent;
import io.edgeflow.cloud.store.AuditSearch;
import io.edgeflow.cloud.store.DeviceRecord;
import io.edgeflow.cloud.store.DeviceSearch;
import io.edgeflow.cloud.tunnel.LocalRequest;
import io.edgeflow.cloud.tunnel.LocalResponse;
import io.edgeflow.cloud.tunnel.Presence;
import io.edgeflow.cloud.tunnel.TunnelException;
import io.edgeflow.cloud.tunnel.TunnelHub;

/**
 * Devices: the list (searched, filtered and paged in the database, its table reloaded by htmx every few seconds so a
 * device coming online shows without a reload), Add Device (a provisioning code shown once, with the env file), and
 * one device (its facts as registered and, while online, live through its tunnel; its audit events; revoke; rotate
 * key, which the device does itself, asked through its tunnel).
 * <p>
 * Threading: stateless; any request thread (the live facts are answered on the thread the device's answer arrives on).
 */
final class DevicePages {
    private static final Logger LOG = LoggerFactory.getLogger(DevicePages.class);
    static final int PAGE_SIZE = 50;
    private static final Set<String> STATUSES = Set.of(DeviceRecord.PENDING, DeviceRecord.ACTIVE, DeviceRecord.LAPSED,
            DeviceRecord.REVOKED);
    private static final String DEVICES = Dashboard.ROOT + "/devices";
    /** The device's local API endpoint that rotates its key. */
    static final String ROTATE_KEY = "/api/v1/saas/rotate-key";

    private final ProvisioningService service;
    private final TunnelHub tunnels;
    private final Path caFile;

    DevicePages(ProvisioningService service, TunnelHub tunnels, Path caFile) {
        this.service = service;
        this.tunnels = tunnels;
        this.caFile = caFile;
    }

    void addTo(Dashboard dashboard) {
        dashboard.add("GET", DEVICES, this::list, false);
        dashboard.add("GET", DEVICES + "/table", this::table, false);
        dashboard.add("GET", DEVICES + "/new", this::addForm, false);
        dashboard.add("POST", DEVICES + "/new", this::addDevice, false);
        dashboard.add("POST", DEVICES + "/credentials", this::addCredentials, false);
        dashboard.add("GET", DEVICES + "/{id}", this::device, false);
        dashboard.add("GET", DEVICES + "/{id}/live", this::live, false);
        dashboard.add("POST", DEVICES + "/{id}/revoke", this::revoke, false);
        dashboard.add("POST", DEVICES + "/{id}/rotate-key", this::rotateKey, false);
    }

    private void list(Exchange x) throws CloudError {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("chrome", x.chrome("Devices", "devices"));
        model.put("table", table(x.query("q"), x.query("status"), x.query("page")));
        x.render(200, "devices.jte", model);
    }

    /** The table alone: what htmx reloads every few seconds, and on every keystroke in the search field. */
    private void table(Exchange x) throws CloudError {
        x.render(200, "deviceTable.jte", Map.of("table", table(x.query("q"), x.query("status"), x.query("page"))));
    }

    private PageModels.DeviceTable table(String q, String status, String pageText) throws CloudError {
        if (q.length() > 200) {
            throw new CloudError(400, "invalid_request", "The search text is longer than 200 characters.");
        }
        if (!status.isEmpty() && !STATUSES.contains(status)) {
            throw new CloudError(400, "invalid_request", "No such status: choose pending, active, lapsed or revoked.");
        }
        int page = 1;
        if (!pageText.isEmpty()) {
            try {
                page = Integer.parseInt(pageText);
            } catch (NumberFormatException e) {
                page = 0;
            }
            if (page < 1 || page > 1_000_000) {
                throw new CloudError(400, "invalid_request", "The page must be a whole number from 1.");
            }
        }
        DevicePage found = service.searchDevices(new DeviceSearch(q, status.isEmpty() ? null : status,
                (page - 1) * PAGE_SIZE, PAGE_SIZE));
        long now = service.now();
        List<PageModels.DeviceRow> rows = new ArrayList<>();
        for (DeviceDetails d : found.devices()) {
            rows.add(row(d, now));
        }
        long first = rows.isEmpty() ? 0 : (long) (page - 1) * PAGE_SIZE + 1;
        long last = rows.isEmpty() ? 0 : first + rows.size() - 1;
        String previous = page > 1 ? Show.url(DEVICES, "q", q, "status", status, "page", Integer.toString(page - 1))
                : null;
        String next = last < found.total() ? Show.url(DEVICES, "q", q, "status", status, "page",
                Integer.toString(page + 1)) : null;
        String refresh = Show.url(DEVICES + "/table", "q", q, "status", status, "page",
                page > 1 ? Integer.toString(page) : "");
        return new PageModels.DeviceTable(rows, q, status, first, last, found.total(), refresh, previous, next);
    }

    private PageModels.DeviceRow row(DeviceDetails details, long now) {
        DeviceRecord d = details.device();
        Presence presence = tunnels.presence(d.id());
        JsonNode hardware = Show.facts(d.hardware());
        JsonNode network = Show.facts(d.network());
        String tunnel = presence.online() ? "online since " + Show.time(presence.connectedSince())
                : presence.disconnectedAt() != null ? "offline since " + Show.time(presence.disconnectedAt()) : "offline";
        return new PageModels.DeviceRow(d.id(), Show.fact(network, "hostname"), Show.fact(hardware, "board_model"),
                d.status(), presence.online(), tunnel, Show.time(presence.lastHeartbeat()),
                DeviceRecord.REVOKED.equals(d.status()) ? "-" : Show.time(details.keyExpiresAt(now)),
                Show.time(d.registeredAt()));
    }

    private void addForm(Exchange x) {
        addForm(x, 200, "24h", "", null, null);
    }

    /** The Add Device page: a code's form, and pre-provisioned credentials' form; a problem belongs to one. */
    private void addForm(Exchange x, int status, String ttl, String label, String problem, String keyProblem) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("chrome", x.chrome("Add Device", "add"));
        model.put("ttl", ttl);
        model.put("label", label);
        model.put("problem", problem);
        model.put("keyProblem", keyProblem);
        model.put("maxTtl", Durations.format(service.settings().maxCodeTtl()));
        model.put("keyLifetime", Durations.format(service.settings().keyLifetime()));
        x.render(status, "addDevice.jte", model);
    }

    /**
     * Pre-provisioned credentials: a Device ID and API key made here, shown once with the env file that carries
     * them (the product documentation's second method). The device is pending until it first uses the key.
     */
    private void addCredentials(Exchange x) {
        String ttlText = x.form("key_ttl").strip();
        String label = x.form("key_label").strip();
        Long ttl = null;
        try {
            if (!ttlText.isEmpty()) {
                ttl = Durations.parse(ttlText).toSeconds();
            }
        } catch (IllegalArgumentException e) {
            addForm(x, 400, "24h", "", null, "Key lifetime: " + e.getMessage() + ".");
            return;
        }
        IssuedKey issued;
        try {
            issued = service.createDevice(ttl, label.isEmpty() ? null : label, source(x));
        } catch (CloudError e) {
            addForm(x, 400, "24h", "", null, e.getMessage());
            return;
        }
        String envFile = DeviceEnvFile.of(x.request, caFile).withCredentials(issued.deviceId(), issued.apiKey());
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("chrome", x.chrome("Add Device", "add"));
        model.put("issued", new PageModels.IssuedCredentials(issued.deviceId(), issued.apiKey(), label,
                Show.time(issued.expiresAt()), envFile, caFile == null ? null : caFile.toString()));
        x.render(200, "credentialsCreated.jte", model);
    }

    /** Generates a code: the answer is the only place its text is ever shown (and it is not cached). */
    private void addDevice(Exchange x) throws CloudError {
        String ttlText = x.form("ttl").strip();
        String label = x.form("label").strip();
        Duration ttl;
        try {
            ttl = Durations.parse(ttlText.isEmpty() ? "24h" : ttlText);
        } catch (IllegalArgumentException e) {
            addForm(x, 400, ttlText, label, "TTL: " + e.getMessage() + ".", null);
            return;
        }
        IssuedCode issued;
        try {
            issued = service.createCode(ttl.toSeconds(), label.isEmpty() ? null : label, source(x));
        } catch (CloudError e) {
            addForm(x, 400, ttlText, label, e.getMessage(), null);
            return;
        }
        String code = issued.code().value();
        String envFile = DeviceEnvFile.of(x.request, caFile).withCode(code);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("chrome", x.chrome("Add Device", "add"));
        model.put("issued", new PageModels.IssuedCode(code, issued.record().id(), Show.text(issued.record().label()),
                Show.time(issued.record().expiresAt()), envFile, caFile == null ? null : caFile.toString()));
        x.render(200, "codeCreated.jte", model);
    }

    private void device(Exchange x) throws CloudError {
        devicePage(x, 200, service.device(x.param("id")), null);
    }

    /** The device page, with the outcome of an action on it (a key rotation) or none. */
    private void devicePage(Exchange x, int status, DeviceDetails details, PageModels.Notice notice) {
        DeviceRecord d = details.device();
        long now = service.now();
        List<PageModels.Fact> facts = new ArrayList<>();
        PageModels.DeviceRow row = row(details, now);
        facts.add(new PageModels.Fact("Status", d.status()));
        facts.add(new PageModels.Fact("Tunnel", row.tunnel()));
        facts.add(new PageModels.Fact("Last heartbeat", row.lastHeartbeat()));
        facts.add(new PageModels.Fact("Provisioned at", Show.time(d.registeredAt())));
        facts.add(new PageModels.Fact("Confirmed at", Show.time(d.confirmedAt())));
        facts.add(new PageModels.Fact("Revoked at", Show.time(d.revokedAt())));
        facts.add(new PageModels.Fact("API key expires", row.keyExpires()));
        facts.add(new PageModels.Fact("Registered from", Show.text(d.sourceAddress())));
        facts.add(new PageModels.Fact("Provisioning code", details.code() == null ? "-"
                : io.edgeflow.cloud.credentials.ProvisioningCode.mask(details.code().hint())));
        List<PageModels.AuditLine> events = new ArrayList<>();
        for (AuditEvent e : service.searchAudit(new AuditSearch(null, d.id(), null, 0, 50))) {
            events.add(AuditPages.line(e));
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("chrome", x.chrome(Show.fact(Show.facts(d.network()), "hostname").isEmpty() ? d.id()
                : Show.fact(Show.facts(d.network()), "hostname"), "devices"));
        model.put("row", row);
        model.put("facts", facts);
        model.put("hardware", Show.flatten(Show.facts(d.hardware())));
        model.put("network", Show.flatten(Show.facts(d.network())));
        model.put("events", events);
        model.put("revocable", !DeviceRecord.REVOKED.equals(d.status()));
        model.put("rotatable", row.online() && DeviceRecord.ACTIVE.equals(d.status()));
        model.put("notice", notice);
        x.render(status, "device.jte", model);
    }

    /**
     * The device's facts and bundles now, asked through its tunnel (its local API's {@code /api/v1/device/facts} and
     * {@code /api/v1/bundles}); no thread waits for the device.
     */
    private void live(Exchange x) throws CloudError {
        String id = service.device(x.param("id")).device().id();
        if (!tunnels.presence(id).online()) {
            x.render(200, "deviceLive.jte", liveModel("The device is offline: its facts as registered are above.",
                    List.of(), List.of(), List.of()));
            return;
        }
        // each answer on its own: a device that answers one and not another still shows what it answered
        CompletableFuture<LocalResponse> facts = tunnels.forward(id, get("/api/v1/device/facts")).handle((r, e) -> r);
        CompletableFuture<LocalResponse> bundles = tunnels.forward(id, get("/api/v1/bundles")).handle((r, e) -> r);
        CompletableFuture<LocalResponse> deployments = tunnels.forward(id, get("/api/v1/deployments"))
                .handle((r, e) -> r);
        CompletableFuture.allOf(facts, bundles, deployments).whenComplete((done, failure) -> {
            try {
                LocalResponse f = facts.join();
                List<PageModels.Fact> now = ok(f) ? Show.flatten(Show.facts(body(f))) : List.of();
                List<PageModels.Fact> running = new ArrayList<>();
                for (JsonNode b : ok(bundles.join()) ? Show.facts(body(bundles.join())).path("bundles")
                        : Show.facts(null)) {
                    running.add(new PageModels.Fact(Show.fact(b, "symbolic_name") + " " + Show.fact(b, "version"),
                            Show.fact(b, "state")));
                }
                List<PageModels.Fact> updates = new ArrayList<>();
                for (JsonNode d : ok(deployments.join()) ? Show.facts(body(deployments.join())).path("deployments")
                        : Show.facts(null)) {
                    updates.add(new PageModels.Fact(Show.fact(d, "id"), Show.fact(d, "state") + " "
                            + Show.fact(d, "updated_at") + " " + Show.fact(d, "reason")));
                }
                String note = f == null ? "The device did not answer through its tunnel." : null;
                x.render(200, "deviceLive.jte", liveModel(note, now, running, updates));
            } catch (RuntimeException e) {
                // on the tunnel's thread, after handle() returned: answer here, or the request would hang
                LOG.error("The live facts of {} could not be shown: {}", id, LogText.of(e), e);
                Dashboard.error(x, 500, "The dashboard could not show the device's answer; see the cloud's log.");
            }
        });
    }

    private static boolean ok(LocalResponse r) {
        return r != null && r.status() == 200;
    }

    private static String body(LocalResponse r) {
        return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Map<String, Object> liveModel(String note, List<PageModels.Fact> facts,
            List<PageModels.Fact> bundles, List<PageModels.Fact> deployments) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("note", note);
        model.put("facts", facts);
        model.put("bundles", bundles);
        model.put("deployments", deployments);
        return model;
    }

    private static LocalRequest get(String path) {
        return new LocalRequest("GET", path, Map.of("accept", "application/json"), new byte[0]);
    }

    private void revoke(Exchange x) throws CloudError {
        String id = x.param("id");
        service.revokeDevice(id, source(x));
        // its key stopped working: so does the tunnel it opened with that key (as the admin API does)
        tunnels.revoke(id);
        x.redirect(DEVICES + "/" + id);
    }

    /**
     * Rotate key: asks the device, through its tunnel, to rotate its own key ({@code POST /api/v1/saas/rotate-key} on
     * its local API): the device asks this cloud for a new key with its current one, stores it and confirms it
     * (docs/provisioning.md). The page shows the device's answer, or its error. A device that stored its new key
     * reconnects its tunnel with it, which may cut the answer short: this cloud's own records then tell whether a
     * new key was issued. The admin's request is audited ({@code remote_access}); the device's rotation and
     * confirmation are audited by the device API as always. No thread waits for the device.
     */
    private void rotateKey(Exchange x) throws CloudError {
        DeviceDetails before = service.device(x.param("id"));
        String id = before.device().id();
        String source = source(x);
        if (!tunnels.presence(id).online()) {
            service.auditRemoteAccess(source, id, "POST", ROTATE_KEY, "device_offline");
            devicePage(x, 409, before, new PageModels.Notice(false, "The device is offline: it rotates its key "
                    + "itself, through its tunnel. Try again when it is online."));
            return;
        }
        Set<String> keysBefore = new java.util.HashSet<>();
        before.keys().forEach(k -> keysBefore.add(k.id()));
        LocalRequest request = new LocalRequest("POST", ROTATE_KEY, Map.of("content-type", "application/json",
                "accept", "application/json"), "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        tunnels.forward(id, request).whenComplete((answer, failure) -> {
            try {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException
                        && failure.getCause() != null ? failure.getCause() : failure;
                service.auditRemoteAccess(source, id, "POST", ROTATE_KEY, answer != null
                        ? Integer.toString(answer.status()) : cause instanceof TunnelException e ? e.code()
                                : "internal_error");
                DeviceDetails after = service.device(id);
                PageModels.Notice notice = answer != null ? RotationNotice.of(answer)
                        : RotationNotice.cutShort(cause, RotationNotice.newKey(after, keysBefore, service.now()));
                devicePage(x, notice.ok() ? 200 : answer != null ? answer.status() : 502, after, notice);
            } catch (CloudError | RuntimeException e) {
                // on the tunnel's thread: answer here, or the request would hang
                LOG.error("The key rotation of {} could not be shown: {}", id, LogText.of(e), e);
                Dashboard.error(x, 500, "The dashboard could not show the device's answer; see the cloud's log.");
            }
        });
    }

    static String source(Exchange x) {
        return org.eclipse.jetty.server.Request.getRemoteAddr(x.request);
    }
}
