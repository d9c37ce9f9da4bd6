package io.edgeflow.update.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A deployment as the cloud sends it ({@code POST /api/v1/deployments}): its id, its operations and the deadline of
 * its health check. Immutable.
 *
 * @param id the deployment id, {@code dep_...}
 * @param healthTimeoutSeconds the health check's deadline
 * @param operations the operations, at least one, each symbolic name at most once
 */
record DeploymentRequest(String id, int healthTimeoutSeconds, List<Operation> operations) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_\\-]{1,100}");
    /** Most operations in one deployment. */
    static final int MAX_OPERATIONS = 100;
    /** Longest health check deadline accepted, in seconds. */
    static final int MAX_HEALTH_TIMEOUT_SECONDS = 3600;

    /**
     * @param json the request body
     * @param defaultHealthTimeoutSeconds the configured deadline, when the request names none
     * @return the deployment
     * @throws IllegalArgumentException naming the field that is wrong
     */
    static DeploymentRequest fromJson(Map<String, Object> json, int defaultHealthTimeoutSeconds) {
        if (!(json.get("id") instanceof String id) || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id must be a deployment id such as dep_... (letters, digits, _ and -)");
        }
        int timeout = defaultHealthTimeoutSeconds;
        Object t = json.get("health_timeout_seconds");
        if (t != null) {
            if (!(t instanceof Integer seconds) || seconds < 1 || seconds > MAX_HEALTH_TIMEOUT_SECONDS) {
                throw new IllegalArgumentException("health_timeout_seconds must be a whole number from 1 to "
                        + MAX_HEALTH_TIMEOUT_SECONDS);
            }
            timeout = seconds;
        }
        if (!(json.get("operations") instanceof List<?> list) || list.isEmpty() || list.size() > MAX_OPERATIONS) {
            throw new IllegalArgumentException("operations must be a list of 1 to " + MAX_OPERATIONS + " operations");
        }
        List<Operation> operations = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Operation op = Operation.fromJson(list.get(i), i + 1);
            if (!names.add(op.symbolicName())) {
                throw new IllegalArgumentException("operations name " + op.symbolicName() + " more than once");
            }
            operations.add(op);
        }
        return new DeploymentRequest(id, timeout, List.copyOf(operations));
    }
}
