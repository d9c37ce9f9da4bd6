package io.edgeflow.cloud.server;

import java.util.LinkedHashMap;
import java.util.Map;

import io.edgeflow.cloud.provisioning.CloudError;

/**
 * A JSON answer: its status, its body (serialised by {@link ApiHandler#write}) and extra headers.
 *
 * @param status the HTTP status
 * @param body the value written as JSON
 * @param headers headers added to the answer
 */
record Reply(int status, Object body, Map<String, String> headers) {
    /**
     * A body that is (part of) a file, not JSON: an artifact's bytes.
     *
     * @param file the file
     * @param offset the first byte sent
     * @param length how many bytes
     * @param contentType its type
     */
    record FileBody(java.nio.file.Path file, long offset, long length, String contentType) {
    }

    /** A 204: no body. */
    static final Object NO_CONTENT = new Object();

    Reply(int status, Object body) {
        this(status, body, Map.of());
    }

    /** @return the API's error body, {@code {"error": code, "message": message}} */
    static Map<String, Object> errorBody(String code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", code);
        m.put("message", message);
        return m;
    }

    /** @return the answer to a refusal: its status, its body, {@code Retry-After} and {@code WWW-Authenticate} */
    static Reply error(CloudError e) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (e.retryAfterSeconds() > 0) {
            headers.put("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        if (e.status() == 401) {
            headers.put("WWW-Authenticate", "Bearer");
        }
        return new Reply(e.status(), errorBody(e.code(), e.getMessage()), headers);
    }
}
