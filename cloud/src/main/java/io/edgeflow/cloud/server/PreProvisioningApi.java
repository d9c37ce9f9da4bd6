package io.edgeflow.cloud.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.provisioning.IssuedKey;
import io.edgeflow.cloud.provisioning.ProvisioningService;

/**
 * {@code POST /api/v1/admin/devices}: an administrator creates a device with its credentials (the product
 * documentation's "pre-provisioned credentials"), answered once with the Device ID, the API key and the env
 * file the device needs. Behind the admin token, like every admin endpoint.
 * <p>
 * Threading: stateless; every method runs on the thread of the request it answers.
 */
final class PreProvisioningApi {
    private final ProvisioningService service;
    private final AdminApi admin;
    private final Path caFile;

    /**
     * @param caFile the local CA devices must trust, or null when the cloud serves the operator's certificate
     */
    PreProvisioningApi(ProvisioningService service, AdminApi admin, Path caFile) {
        this.service = service;
        this.admin = admin;
        this.caFile = caFile;
    }

    /** Adds the endpoint to the route table. */
    void addTo(ApiRoutes routes) {
        admin.admin(routes, "POST", "/api/v1/admin/devices", this::createDevice, true);
    }

    private Reply createDevice(Call call) throws CloudError, IOException {
        JsonNode body = call.body(false);
        Long ttl = body == null ? null : AdminApi.seconds(body.get("api_key_ttl_seconds"), "api_key_ttl_seconds");
        String label = body == null ? null : AdminApi.label(body.get("label"));
        IssuedKey issued = service.createDevice(ttl, label, call.source);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device_id", issued.deviceId());
        m.put("api_key", issued.apiKey());
        m.put("expires_at", Views.time(issued.expiresAt()));
        m.put("status", "pending");
        m.put("label", label);
        m.put("env_file", DeviceEnvFile.of(call.request, caFile).withCredentials(issued.deviceId(), issued.apiKey()));
        return new Reply(201, m, Map.of("Cache-Control", "no-store"));
    }
}
