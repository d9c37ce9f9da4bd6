package io.edgeflow.cloud.server;

import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.admin.AdminTokens;
import io.edgeflow.cloud.provisioning.CloudError;

/**
 * One request as an endpoint sees it: its path parameters, its source address, its body once read.
 * <p>
 * Threading: a call belongs to one request; {@link #rawBody} is set once, by the thread that finished
 * reading the body, before the endpoint runs on that same thread.
 */
final class Call {
    final Request request;
    final Map<String, String> params;
    final String source;
    private final ObjectMapper json;
    /** The body as it arrived (empty if there was none); read before the endpoint runs. */
    byte[] rawBody = new byte[0];
    /** An uploaded file, for an upload endpoint; null otherwise. */
    UploadRead.Upload upload;

    Call(Request request, Map<String, String> params, String source, ObjectMapper json) {
        this.request = request;
        this.params = params;
        this.source = source;
        this.json = json;
    }

    /** @return the path parameter of that name ({@code {id}} in the route's template) */
    String param(String name) {
        return params.get(name);
    }

    String header(HttpHeader header) {
        return request.getHeaders().get(header);
    }

    JsonNode body(boolean required) throws CloudError {
        return JsonBodies.parse(json, rawBody, required);
    }

    String query(String name) {
        Fields fields = Request.extractQueryParameters(request);
        Fields.Field f = fields.get(name);
        return f == null ? null : f.getValue();
    }

    /** @return the bearer token of the {@code Authorization} header, or null */
    String bearer() {
        return AdminTokens.bearer(header(HttpHeader.AUTHORIZATION)).orElse(null);
    }

    /**
     * @return the {@code limit} query parameter of a listing: 100 when absent
     * @throws CloudError 400 unless it is a whole number from 1 to 1000
     */
    int limit() throws CloudError {
        String l = query("limit");
        if (l == null) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(l);
            if (limit >= 1 && limit <= 1000) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw CloudError.invalidRequest("limit", "must be a whole number from 1 to 1000");
    }
}
