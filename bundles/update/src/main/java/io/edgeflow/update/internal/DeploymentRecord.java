package io.edgeflow.update.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the device knows of one deployment: the public record of the contract ({@code id, state, updated_at, reason,
 * failed, operations}) and, for the journal only, what is needed to finish or undo it after a restart (the previous
 * set, the health baseline, the rollback's progress, the state the cloud acknowledged). Immutable: every change makes
 * a new record, which the journal writes before it counts.
 *
 * @param request the deployment as received
 * @param state where it is
 * @param updatedAt when the state last changed
 * @param reason why it failed or was rolled back, or null
 * @param failed what failed the health check or the apply, or null
 * @param previous the bundles the deployment touches, as they were before it (empty until {@code applying})
 * @param baseline what was healthy before it (null until {@code applying})
 * @param rollingBack true once a rollback has begun: a restart continues it, never the deployment
 * @param restored symbolic names the rollback has already put back
 * @param reportedState the last state the cloud acknowledged, or null
 */
record DeploymentRecord(DeploymentRequest request, State state, Instant updatedAt, String reason, Failure failed,
        List<SavedBundle> previous, Baseline baseline, boolean rollingBack, Set<String> restored,
        String reportedState) {

    /** The device's states of a deployment (the cloud adds {@code pending} and {@code cancelled}). */
    enum State {
        DOWNLOADING, VERIFYING, APPLYING, CHECKING, SUCCEEDED, ROLLED_BACK, FAILED;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean isEnd() {
            return this == SUCCEEDED || this == ROLLED_BACK || this == FAILED;
        }

        static State ofWire(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * What failed: the bundle, the component and the exception's message; any may be null.
     *
     * @param bundle a symbolic name
     * @param component a component name
     * @param message what went wrong
     */
    record Failure(String bundle, String component, String message) {
        /** @return {@code bundle / component: message}, with what is known of the three */
        static String describe(Failure f) {
            if (f == null) {
                return "unknown";
            }
            StringBuilder s = new StringBuilder();
            if (f.bundle() != null) {
                s.append(f.bundle());
            }
            if (f.component() != null) {
                s.append(s.length() > 0 ? " / " : "").append(f.component());
            }
            if (f.message() != null) {
                s.append(s.length() > 0 ? ": " : "").append(f.message());
            }
            return s.toString();
        }

        Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("bundle", bundle);
            json.put("component", component);
            json.put("message", message);
            return json;
        }

        static Failure fromJson(Object json) {
            if (!(json instanceof Map<?, ?> map)) {
                return null;
            }
            return new Failure(string(map.get("bundle")), string(map.get("component")), string(map.get("message")));
        }
    }

    /**
     * One bundle a deployment touches, as it was before.
     *
     * @param symbolicName its symbolic name
     * @param present true if it was installed (an update or uninstall), false for an install
     * @param location its location, if present
     * @param version its version, if present
     * @param copy the file name of its saved content in the deployment's saved directory, if present
     * @param active true if it was active
     */
    record SavedBundle(String symbolicName, boolean present, String location, String version, String copy,
            boolean active) {
        Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("symbolic_name", symbolicName);
            json.put("present", present);
            json.put("location", location);
            json.put("version", version);
            json.put("copy", copy);
            json.put("active", active);
            return json;
        }

        static SavedBundle fromJson(Map<?, ?> map) {
            return new SavedBundle(string(map.get("symbolic_name")), Boolean.TRUE.equals(map.get("present")),
                    string(map.get("location")), string(map.get("version")), string(map.get("copy")),
                    Boolean.TRUE.equals(map.get("active")));
        }
    }

    /**
     * What was healthy before a deployment, for its health check.
     *
     * @param activeBundles symbolic names of the active bundles
     * @param components names of the EdgeFlow components that were active or satisfied
     * @param localApi true if the local API answered
     * @param tunnelOnline true if the tunnel was online
     */
    record Baseline(Set<String> activeBundles, Set<String> components, boolean localApi, boolean tunnelOnline) {
        Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("active_bundles", List.copyOf(activeBundles));
            json.put("components", List.copyOf(components));
            json.put("local_api", localApi);
            json.put("tunnel_online", tunnelOnline);
            return json;
        }

        static Baseline fromJson(Object json) {
            if (!(json instanceof Map<?, ?> map)) {
                return null;
            }
            return new Baseline(strings(map.get("active_bundles")), strings(map.get("components")),
                    Boolean.TRUE.equals(map.get("local_api")), Boolean.TRUE.equals(map.get("tunnel_online")));
        }
    }

    /** @return a new deployment, {@code downloading} */
    static DeploymentRecord accepted(DeploymentRequest request, Instant now) {
        return new DeploymentRecord(request, State.DOWNLOADING, now, null, null, List.of(), null, false, Set.of(),
                null);
    }

    String id() {
        return request.id();
    }

    DeploymentRecord withState(State newState, Instant now) {
        return new DeploymentRecord(request, newState, now, reason, failed, previous, baseline, rollingBack,
                restored, reportedState);
    }

    DeploymentRecord failedWith(State endState, String why, Failure what, Instant now) {
        return new DeploymentRecord(request, endState, now, why, what, previous, baseline, rollingBack, restored,
                reportedState);
    }

    DeploymentRecord withPrevious(List<SavedBundle> saved, Baseline healthy) {
        return new DeploymentRecord(request, state, updatedAt, reason, failed, List.copyOf(saved), healthy,
                rollingBack, restored, reportedState);
    }

    DeploymentRecord rollingBack(String why, Failure what) {
        return new DeploymentRecord(request, state, updatedAt, why, what, previous, baseline, true, restored,
                reportedState);
    }

    DeploymentRecord withRestored(String symbolicName) {
        Set<String> more = new LinkedHashSet<>(restored);
        more.add(symbolicName);
        return new DeploymentRecord(request, state, updatedAt, reason, failed, previous, baseline, rollingBack,
                Set.copyOf(more), reportedState);
    }

    DeploymentRecord withReported(String wireState) {
        return new DeploymentRecord(request, state, updatedAt, reason, failed, previous, baseline, rollingBack,
                restored, wireState);
    }

    /** @return true if the cloud has not acknowledged the current state yet */
    boolean needsReport() {
        return !state.wireName().equals(reportedState);
    }

    /** @return the record the local API shows and the contract defines */
    Map<String, Object> toPublicJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id());
        json.put("state", state.wireName());
        json.put("updated_at", updatedAt.truncatedTo(ChronoUnit.SECONDS).toString());
        json.put("reason", reason);
        json.put("failed", failed == null ? null : failed.toJson());
        json.put("operations", request.operations().stream().map(Operation::toJson).toList());
        return json;
    }

    /** @return everything, for the journal */
    Map<String, Object> toJournalJson() {
        Map<String, Object> json = toPublicJson();
        json.put("updated_at", updatedAt.toString());
        json.put("health_timeout_seconds", request.healthTimeoutSeconds());
        json.put("previous", previous.stream().map(SavedBundle::toJson).toList());
        json.put("baseline", baseline == null ? null : baseline.toJson());
        json.put("rolling_back", rollingBack);
        json.put("restored", List.copyOf(restored));
        json.put("reported_state", reportedState);
        return json;
    }

    /**
     * @param json a journal file's content
     * @return the record
     * @throws IllegalArgumentException if it is not a journal record
     */
    static DeploymentRecord fromJournalJson(Map<String, Object> json) {
        Map<String, Object> requestJson = new LinkedHashMap<>();
        requestJson.put("id", json.get("id"));
        requestJson.put("health_timeout_seconds", json.get("health_timeout_seconds"));
        requestJson.put("operations", json.get("operations"));
        DeploymentRequest request = DeploymentRequest.fromJson(requestJson, 60);
        List<SavedBundle> previous = new ArrayList<>();
        if (json.get("previous") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> map) {
                    previous.add(SavedBundle.fromJson(map));
                }
            }
        }
        return new DeploymentRecord(request, State.ofWire(String.valueOf(json.get("state"))),
                Instant.parse(String.valueOf(json.get("updated_at"))), string(json.get("reason")),
                Failure.fromJson(json.get("failed")), List.copyOf(previous), Baseline.fromJson(json.get("baseline")),
                Boolean.TRUE.equals(json.get("rolling_back")), strings(json.get("restored")),
                string(json.get("reported_state")));
    }

    private static String string(Object o) {
        return o instanceof String s ? s : null;
    }

    private static Set<String> strings(Object o) {
        Set<String> set = new LinkedHashSet<>();
        if (o instanceof List<?> list) {
            list.forEach(e -> set.add(String.valueOf(e)));
        }
        return Set.copyOf(set);
    }
}
