package io.edgeflow.cloud.dashboard;

import java.util.List;

/**
 * What the dashboard's templates ({@code src/main/jte}) show: plain values, every string as it came (the templates
 * escape it; device-supplied text is never trusted). Public only because the precompiled templates live in a package
 * of their own.
 */
public final class PageModels {
    private PageModels() {
    }

    /**
     * What every page around its content needs.
     *
     * @param title the page's title
     * @param active the navigation entry to highlight ({@code devices}, {@code codes}, ...), or empty
     * @param csrf the session's CSRF token, or null when signed out
     */
    public record Chrome(String title, String active, String csrf) {
        /** @return true when signed in */
        public boolean signedIn() {
            return csrf != null;
        }

        /** @return the {@code hx-headers} value that carries the CSRF token on every htmx request */
        public String htmxHeaders() {
            return "{\"X-CSRF-Token\": \"" + csrf + "\"}";
        }
    }

    /**
     * One line of the Devices list.
     *
     * @param id the Device ID
     * @param hostname the host name it reported, or empty
     * @param boardModel the board model it reported, or empty
     * @param status pending, active, lapsed or revoked
     * @param online true while its tunnel is open
     * @param tunnel "online since ..." or "offline"
     * @param lastHeartbeat its last heartbeat since the cloud started, or "-"
     * @param keyExpires when its API key expires, or "-"
     * @param provisionedAt when it registered
     */
    public record DeviceRow(String id, String hostname, String boardModel, String status, boolean online,
            String tunnel, String lastHeartbeat, String keyExpires, String provisionedAt) {
    }

    /**
     * A page of the Devices list, and how to reach the others.
     *
     * @param rows the devices on it
     * @param q the search text
     * @param status the status filter, or empty
     * @param first the position of the first row (1-based), 0 when there is none
     * @param last the position of the last row
     * @param total how many devices match
     * @param refreshUrl where the live table reloads itself from
     * @param previousUrl the page before, or null
     * @param nextUrl the page after, or null
     */
    public record DeviceTable(List<DeviceRow> rows, String q, String status, long first, long last, long total,
            String refreshUrl, String previousUrl, String nextUrl) {
    }

    /**
     * A name and a value, as a table line.
     *
     * @param name the name
     * @param value the value
     */
    public record Fact(String name, String value) {
    }

    /**
     * A line of the audit trail.
     *
     * @param id its identifier
     * @param at when
     * @param event what
     * @param result ok or an error code
     * @param source the caller's address
     * @param code the code, masked
     * @param deviceId the device, or empty
     * @param detail what else
     */
    public record AuditLine(long id, String at, String event, String result, String source, String code,
            String deviceId, String detail) {
    }

    /**
     * A provisioning code as the Codes page lists it (masked: the whole code is shown only once, when created).
     *
     * @param id its identifier
     * @param code masked
     * @param label the operator's label
     * @param state unused, claimed, used, expired or revoked
     * @param createdAt when
     * @param expiresAt when its TTL ends
     * @param deviceId the device that used it, or empty
     * @param revocable true if it can still be revoked
     */
    public record CodeLine(String id, String code, String label, String state, String createdAt, String expiresAt,
            String deviceId, boolean revocable) {
    }

    /**
     * A provisioning code just created: the only time its text is shown.
     *
     * @param code the code
     * @param id its identifier
     * @param label its label, or empty
     * @param expiresAt when it expires
     * @param envFile the device's {@code /etc/edgeflow/.env}
     * @param caFile the CA file the env file names, or null when the cloud serves the operator's certificate
     */
    public record IssuedCode(String code, String id, String label, String expiresAt, String envFile, String caFile) {
    }

    /**
     * Pre-provisioned credentials just created: the only time the API key is shown.
     *
     * @param deviceId the Device ID
     * @param apiKey the API key
     * @param label its label, or empty
     * @param expiresAt when the key expires
     * @param envFile the device's {@code /etc/edgeflow/.env} with the credentials
     * @param caFile the CA file the env file names, or null
     */
    public record IssuedCredentials(String deviceId, String apiKey, String label, String expiresAt, String envFile,
            String caFile) {
    }

    /**
     * An artifact (a bundle jar) stored for remote updates.
     *
     * @param sha256 its SHA-256
     * @param shortSha the first 12 hex digits
     * @param symbolicName its bundle's symbolic name
     * @param version its bundle's version
     * @param size in bytes
     * @param uploadedAt when
     * @param signatures how many publisher signatures it carries (devices take only signed ones)
     */
    public record ArtifactLine(String sha256, String shortSha, String symbolicName, String version, long size,
            String uploadedAt, int signatures) {
    }

    /**
     * A rollout (deployment) as the list and its page show it.
     *
     * @param id its identifier
     * @param state running, halted, completed or cancelled
     * @param createdAt when
     * @param operations what it does, in short
     * @param wave which wave it is at, of how many
     * @param summary its devices counted by state
     */
    public record RolloutLine(String id, String state, String createdAt, String operations, String wave,
            String summary) {
    }

    /**
     * One device of a rollout.
     *
     * @param deviceId the device
     * @param wave its wave (1-based)
     * @param state its state in the rollout
     * @param updatedAt when it last changed
     * @param reason why, if it did not succeed
     */
    public record RolloutDevice(String deviceId, long wave, String state, String updatedAt, String reason) {
    }

    /**
     * The outcome of an action on a page, shown above it.
     *
     * @param ok true for a success, false for an error
     * @param message what happened, for a person (device-supplied parts escaped by the template)
     */
    public record Notice(boolean ok, String message) {
    }
}
