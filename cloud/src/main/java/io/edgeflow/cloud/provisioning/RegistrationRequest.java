package io.edgeflow.cloud.provisioning;

import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.edgeflow.cloud.credentials.ProvisioningCode;

/**
 * A device's registration request, checked field by field.
 *
 * @param code the provisioning code
 * @param requestId the UUID the device chose for this registration, lower case
 * @param hardware the hardware facts as JSON text ({@code {}} if none were sent)
 * @param network the network facts as JSON text ({@code {}} if none were sent)
 */
public record RegistrationRequest(ProvisioningCode code, String requestId, String hardware, String network) {
    /** Largest facts object kept, in characters of JSON. */
    public static final int MAX_FACTS_CHARS = 8 * 1024;
    private static final Pattern UUID = Pattern
            .compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /**
     * @param body the request body
     * @return the request
     * @throws CloudError 400 {@code invalid_request} naming the first field that is wrong
     */
    public static RegistrationRequest from(JsonNode body) throws CloudError {
        JsonNode code = body.get("provisioning_code");
        if (code == null || code.isNull()) {
            throw CloudError.invalidRequest("provisioning_code", "missing; send the code, for example PROV-A1B2-C3D4");
        }
        if (!code.isTextual()) {
            throw CloudError.invalidRequest("provisioning_code", "must be a string like PROV-A1B2-C3D4");
        }
        ProvisioningCode parsed = ProvisioningCode.parse(code.asText()).orElseThrow(() -> CloudError.invalidRequest(
                "provisioning_code", "not the shape of a provisioning code (PROV- and eight letters or digits,"
                        + " for example PROV-A1B2-C3D4)"));
        JsonNode requestId = body.get("request_id");
        if (requestId == null || requestId.isNull()) {
            throw CloudError.invalidRequest("request_id",
                    "missing; send a UUID chosen by the device and reuse it when retrying this registration");
        }
        if (!requestId.isTextual() || !UUID.matcher(requestId.asText()).matches()) {
            throw CloudError.invalidRequest("request_id", "must be a UUID such as 3f2b6a1c-8d4e-4f7a-9b1c-2d3e4f5a6b7c");
        }
        return new RegistrationRequest(parsed, requestId.asText().toLowerCase(Locale.ROOT), facts(body, "hardware"),
                facts(body, "network"));
    }

    private static String facts(JsonNode body, String field) throws CloudError {
        String facts = optionalFacts(body, field);
        return facts == null ? "{}" : facts;
    }

    /**
     * Facts a device reports beside a registration (or with the first confirmation of credentials an
     * administrator created), checked as a registration's are.
     *
     * @param body a request body, may be null
     * @param field {@code hardware} or {@code network}
     * @return the facts as JSON text, or null if the body has none
     * @throws CloudError 400 {@code invalid_request} naming the field if it is not an object or too large
     */
    public static String optionalFacts(JsonNode body, String field) throws CloudError {
        JsonNode node = body == null ? null : body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw CloudError.invalidRequest(field, "must be a JSON object");
        }
        String text = node.toString();
        if (text.length() > MAX_FACTS_CHARS) {
            throw CloudError.invalidRequest(field, "larger than " + MAX_FACTS_CHARS + " characters");
        }
        return text;
    }

    /**
     * The code as it may appear in the audit trail of a rejected request: masked if it had the shape of a
     * code, otherwise nothing.
     *
     * @param body the request body, may be null
     * @return the masked code, or null
     */
    public static String maskedCodeOf(JsonNode body) {
        if (body == null || body.get("provisioning_code") == null || !body.get("provisioning_code").isTextual()) {
            return null;
        }
        return ProvisioningCode.parse(body.get("provisioning_code").asText()).map(ProvisioningCode::masked)
                .orElse(null);
    }

    @Override
    public String toString() {
        return "RegistrationRequest[code=" + code.masked() + ", requestId=" + requestId + "]";
    }
}
