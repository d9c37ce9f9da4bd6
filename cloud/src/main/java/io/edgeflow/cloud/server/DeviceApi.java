package io.edgeflow.cloud.server;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.admin.AdminTokens;
import io.edgeflow.cloud.provisioning.AuthenticatedDevice;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.provisioning.IssuedKey;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.provisioning.RegistrationRequest;

/**
 * The endpoints a device calls (see {@code docs/protocol.md}): registration with a provisioning code,
 * confirmation, key rotation, and its own record.
 * <p>
 * Threading: stateless; every method runs on the thread of the request it answers.
 */
final class DeviceApi {
    private final ProvisioningService service;

    DeviceApi(ProvisioningService service) {
        this.service = service;
    }

    /** Adds the device endpoints to the route table. */
    void addTo(ApiRoutes routes) {
        routes.add("POST", "/api/v1/devices/register", new ApiRoutes.Route("POST", this::register,
                this::registrationGate, true, (call, e) -> service.auditRefusedRegistration(call.source, null, e)));
        routes.add("GET", "/api/v1/devices/{id}", this::deviceSelf);
        routes.add("POST", "/api/v1/devices/{id}/confirm",
                new ApiRoutes.Route("POST", this::confirm, null, true, null));
        routes.add("POST", "/api/v1/devices/{id}/rotate-key",
                new ApiRoutes.Route("POST", this::rotateKey, null, true, null));
    }

    private Reply registrationGate(Call call) throws CloudError {
        try {
            service.checkNotLockedOut(call.source);
        } catch (CloudError e) {
            service.auditRefusedRegistration(call.source, null, e);
            throw e;
        }
        return null;
    }

    private Reply register(Call call) throws CloudError, IOException {
        JsonNode body = null;
        RegistrationRequest request;
        try {
            body = call.body(true);
            request = RegistrationRequest.from(body);
        } catch (CloudError e) {
            service.auditRefusedRegistration(call.source, RegistrationRequest.maskedCodeOf(body), e);
            throw e;
        }
        IssuedKey issued = service.register(request, call.source);
        return new Reply(201, Views.issuedKey(issued));
    }

    private Reply confirm(Call call) throws CloudError, IOException {
        // an empty body, or a JSON object; a device an administrator created may report its facts in it
        JsonNode body = call.body(false);
        String hardware = RegistrationRequest.optionalFacts(body, "hardware");
        String network = RegistrationRequest.optionalFacts(body, "network");
        AuthenticatedDevice confirmed = service.confirm(call.param("id"), call.bearer(), call.source, hardware,
                network);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device_id", confirmed.device().id());
        m.put("status", confirmed.device().status());
        m.put("confirmed_at", Views.time(confirmed.key().confirmedAt()));
        m.put("expires_at", Views.time(confirmed.key().expiresAt()));
        return new Reply(200, m);
    }

    private Reply rotateKey(Call call) throws CloudError, IOException {
        call.body(false);
        return new Reply(200, Views.issuedKey(service.rotateKey(call.param("id"), call.bearer(), call.source)));
    }

    private Reply deviceSelf(Call call) throws CloudError {
        // the first call of a device an administrator created makes it active
        AuthenticatedDevice device = service.authenticateUse(call.param("id"), call.bearer(), call.source);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device_id", device.device().id());
        m.put("status", device.device().status());
        m.put("key_status", device.key().status());
        m.put("expires_at", Views.time(device.key().expiresAt()));
        m.put("valid_until", Views.time(device.key().validUntil()));
        return new Reply(200, m);
    }

}
