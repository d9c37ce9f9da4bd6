package io.edgeflow.update.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The deployments as the local API shows and takes them (UPDATES-CONTRACT.md). Registered by {@link UpdateComponent}
 * for this bundle's own servlet; the interface is private to the bundle.
 */
public interface Deployments {

    /**
     * An HTTP answer: its status and JSON body.
     *
     * @param status the HTTP status
     * @param body the body
     */
    record Answer(int status, Map<String, Object> body) {
        static Answer error(int status, String code, String message) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", code);
            body.put("message", message);
            return new Answer(status, body);
        }
    }

    /**
     * @param body the body of {@code POST /api/v1/deployments}
     * @return 202, 200, 400, 403, 409 (or 503 if the journal cannot be written)
     */
    Answer accept(Map<String, Object> body);

    /** @return the last 20 deployments, newest first */
    List<Map<String, Object>> list();

    /** @return the deployment of that id, if known */
    Optional<Map<String, Object>> get(String id);
}
