package io.edgeflow.cloud.server;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.admin.AdminTokens;
import io.edgeflow.cloud.provisioning.AuthenticatedDevice;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.store.ArtifactRecord;
import io.edgeflow.cloud.store.SignatureRecord;
import io.edgeflow.cloud.updates.Artifacts;
import io.edgeflow.cloud.updates.PublisherKey;
import io.edgeflow.cloud.updates.Rollouts;

/**
 * The remote updates' endpoints (docs/updates.md): artifacts, signatures and the release key, deployments (admin
 * token); an artifact's download and a deployment's state report (the device's key).
 * <p>
 * Threading: stateless; every method runs on the thread of the request it answers.
 */
final class UpdateApi {
    private final ProvisioningService service;
    private final AdminApi admin;
    private final Artifacts artifacts;
    private final Rollouts rollouts;

    UpdateApi(ProvisioningService service, AdminApi admin, Artifacts artifacts, Rollouts rollouts) {
        this.service = service;
        this.admin = admin;
        this.artifacts = artifacts;
        this.rollouts = rollouts;
    }

    /** Adds the endpoints to the route table. */
    void addTo(ApiRoutes routes) {
        routes.add("POST", "/api/v1/admin/artifacts", new ApiRoutes.Route("POST", this::upload, admin::adminGate,
                false, null, artifacts.maxBytes()));
        admin.admin(routes, "GET", "/api/v1/admin/artifacts", this::listArtifacts, false);
        admin.admin(routes, "GET", "/api/v1/admin/artifacts/{sha256}", this::getArtifact, false);
        admin.admin(routes, "DELETE", "/api/v1/admin/artifacts/{sha256}", this::deleteArtifact, false);
        admin.admin(routes, "POST", "/api/v1/admin/artifacts/{sha256}/signatures", this::sign, true);
        admin.admin(routes, "GET", "/api/v1/admin/release-key", this::releaseKey, false);
        admin.admin(routes, "POST", "/api/v1/admin/deployments", this::createDeployment, true);
        admin.admin(routes, "GET", "/api/v1/admin/deployments", this::listDeployments, false);
        admin.admin(routes, "GET", "/api/v1/admin/deployments/{id}", this::getDeployment, false);
        admin.admin(routes, "POST", "/api/v1/admin/deployments/{id}/cancel", this::cancelDeployment, true);
        routes.add("GET", "/api/v1/devices/{id}/artifacts/{sha256}", this::download);
        routes.add("POST", "/api/v1/devices/{id}/deployments/{deployment}/status",
                new ApiRoutes.Route("POST", this::report, null, true, null));
    }


    // ------------------------------------------------------------------ artifacts

    private Reply upload(Call call) throws CloudError, IOException {
        if (call.upload == null) {
            throw new CloudError(400, "not_a_bundle", "The request needs the bundle jar as its body"
                    + " (Content-Type: application/java-archive).");
        }
        Artifacts.Stored stored = artifacts.store(call.upload.file(), call.upload.sha256(), call.upload.size(),
                call.source);
        return new Reply(stored.created() ? 201 : 200, artifact(stored.artifact()));
    }

    private Reply listArtifacts(Call call) throws CloudError {
        List<Map<String, Object>> list = new ArrayList<>();
        for (ArtifactRecord a : artifacts.list(call.limit())) {
            list.add(artifact(a));
        }
        return new Reply(200, Map.of("artifacts", list));
    }

    private Reply getArtifact(Call call) throws CloudError {
        return new Reply(200, artifact(artifacts.get(call.param("sha256"))));
    }

    private Reply deleteArtifact(Call call) throws CloudError, IOException {
        return new Reply(200, artifact(artifacts.delete(Artifacts.checkSha256(call.param("sha256")), call.source)));
    }

    private Reply sign(Call call) throws CloudError, IOException {
        String sha = Artifacts.checkSha256(call.param("sha256"));
        JsonNode body = call.body(true);
        Artifacts.Stored stored;
        JsonNode release = body.get("release_key");
        if (release != null && !release.isNull()) {
            if (!release.isBoolean()) {
                throw CloudError.invalidRequest("release_key", "must be true or false");
            }
            if (body.has("public_key") || body.has("signature")) {
                throw CloudError.invalidRequest("release_key", "give either release_key or public_key and signature");
            }
            if (!release.asBoolean()) {
                throw CloudError.invalidRequest("release_key", "is false: give public_key and signature instead");
            }
            stored = artifacts.signWithReleaseKey(sha, call.source);
        } else {
            JsonNode k = body.get("public_key");
            JsonNode s = body.get("signature");
            if (k == null || !k.isTextual()) {
                throw CloudError.invalidRequest("public_key", "must be the publisher's key, \"ed25519:<base64>\"");
            }
            if (s == null || !s.isTextual() || s.asText().length() > 200) {
                throw CloudError.invalidRequest("signature", "must be the Ed25519 signature in base64");
            }
            PublisherKey key;
            try {
                key = PublisherKey.parse(k.asText());
            } catch (IllegalArgumentException e) {
                throw CloudError.invalidRequest("public_key", e.getMessage());
            }
            stored = artifacts.addSignature(sha, key, s.asText(), call.source);
        }
        return new Reply(stored.created() ? 201 : 200, artifact(stored.artifact()));
    }

    private Reply releaseKey(Call call) throws IOException {
        PublisherKey key = artifacts.releaseKey(call.source);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("public_key", key.text());
        m.put("key_id", key.id());
        return new Reply(200, m);
    }

    static Map<String, Object> artifact(ArtifactRecord a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sha256", a.sha256());
        m.put("symbolic_name", a.symbolicName());
        m.put("version", a.version());
        m.put("size", a.size());
        m.put("uploaded_at", Views.time(a.uploadedAt()));
        List<Map<String, Object>> sigs = new ArrayList<>();
        for (SignatureRecord s : a.signatures()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("key_id", s.keyId());
            v.put("public_key", s.publicKey());
            v.put("signature", s.signature());
            sigs.add(v);
        }
        m.put("signatures", sigs);
        return m;
    }

    // ------------------------------------------------------------------ deployments

    private Reply createDeployment(Call call) throws CloudError {
        return new Reply(201, rollouts.create(call.body(true), call.source));
    }

    private Reply listDeployments(Call call) throws CloudError {
        return new Reply(200, Map.of("deployments", rollouts.list(call.limit())));
    }

    private Reply getDeployment(Call call) throws CloudError {
        return new Reply(200, rollouts.get(call.param("id")));
    }

    private Reply cancelDeployment(Call call) throws CloudError {
        call.body(false);
        return new Reply(200, rollouts.cancel(call.param("id"), call.source));
    }

    // ------------------------------------------------------------------ the device's side

    private Reply download(Call call) throws CloudError {
        AuthenticatedDevice device = service.authenticate(call.param("id"), call.bearer());
        String deviceId = device.device().id();
        String sha = Artifacts.checkSha256(call.param("sha256"));
        java.nio.file.Path file = artifacts.file(sha);
        if (!artifacts.targets(deviceId, sha) || !Files.isRegularFile(file)) {
            throw new CloudError(404, "not_found", "No artifact " + sha + " for device " + deviceId
                    + " (only the artifacts of a deployment that targets it).");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new CloudError(404, "not_found", "No artifact " + sha + ".");
        }
        String range = call.header(HttpHeader.RANGE);
        long[] span = range == null ? null : range(range, size);
        if (span == null) {
            return new Reply(200, new Reply.FileBody(file, 0, size, "application/java-archive"),
                    Map.of("Accept-Ranges", "bytes"));
        }
        if (span[0] >= size) {
            CloudError e = new CloudError(416, "range_not_satisfiable", "The artifact has " + size
                    + " bytes; the range starts at " + span[0] + ".");
            return new Reply(416, Reply.errorBody(e.code(), e.getMessage()), Map.of("Content-Range", "bytes */" + size));
        }
        long end = Math.min(span[1], size - 1);
        return new Reply(206, new Reply.FileBody(file, span[0], end - span[0] + 1, "application/java-archive"),
                Map.of("Content-Range", "bytes " + span[0] + "-" + end + "/" + size, "Accept-Ranges", "bytes"));
    }

    /**
     * @return {first, last} of {@code bytes=N-} or {@code bytes=N-M}; null for anything else (ignored: the whole
     *         artifact is sent, as HTTP allows)
     */
    static long[] range(String header, long size) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*bytes\\s*=\\s*(\\d{1,18})\\s*-\\s*(\\d{0,18})\\s*")
                .matcher(header);
        if (!m.matches()) {
            return null;
        }
        long first = Long.parseLong(m.group(1));
        long last = m.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(2));
        if (last < first) {
            return null;
        }
        return new long[] {first, last};
    }

    private Reply report(Call call) throws CloudError {
        AuthenticatedDevice device = service.authenticate(call.param("id"), call.bearer());
        rollouts.report(device.device().id(), call.param("deployment"), call.body(true), call.source);
        return new Reply(204, Reply.NO_CONTENT);
    }


}
