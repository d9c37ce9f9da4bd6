package io.edgeflow.cloud.server;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.jetty.http.pathmap.MatchedResource;
import org.eclipse.jetty.http.pathmap.PathMappings;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;

import io.edgeflow.cloud.provisioning.CloudError;

/**
 * The API's route table: which endpoint answers a method and path, on Jetty's own path mapping
 * ({@link PathMappings} of {@link UriTemplatePathSpec}s such as {@code /api/v1/devices/{id}/confirm}).
 * A path no route knows is a 404 {@code not_found}; a path known for other methods is a 405
 * {@code method_not_allowed} with {@code Allow}; HEAD goes where GET goes.
 * <p>
 * Threading: filled once while the server is built, then only read, by any request thread.
 */
final class ApiRoutes {
    @FunctionalInterface
    interface Endpoint {
        Reply handle(Call call) throws CloudError, IOException;
    }

    /**
     * What is checked before a body is read, so that a refused caller never gets to send one: the admin
     * token, a locked-out address.
     */
    @FunctionalInterface
    interface Gate {
        /** @return null to go on, or the answer that ends the request */
        Reply check(Call call) throws CloudError;
    }

    /**
     * Told when a request's body is refused before it is read or for its size (registration audits it); a body
     * that never arrived whole is only logged.
     */
    @FunctionalInterface
    interface BodyRefusal {
        void refused(Call call, CloudError error);
    }

    /**
     * @param readsBody true for the endpoints that take a JSON body (read before the endpoint runs, without
     *        holding a thread while it arrives); the others answer without reading one
     * @param uploadLimit above 0 for an endpoint that takes a file (an artifact) of at most that many bytes,
     *        written to a temporary file as it arrives ({@link Call#upload})
     */
    record Route(String method, Endpoint endpoint, Gate gate, boolean readsBody, BodyRefusal onRefusal,
            long uploadLimit) {
        Route(String method, Endpoint endpoint, Gate gate, boolean readsBody, BodyRefusal onRefusal) {
            this(method, endpoint, gate, readsBody, onRefusal, 0);
        }

        /** @return true for an endpoint whose body is a file upload (up to {@link #uploadLimit} bytes), not JSON */
        boolean uploads() {
            return uploadLimit > 0;
        }
    }

    /** The route a request goes to and its path parameters, or the 405 that says which methods it takes. */
    record Match(Route route, Map<String, String> params, Reply refusal) {
    }

    /** Per path template, its routes by method. */
    private final PathMappings<Map<String, Route>> mappings = new PathMappings<>();

    /** Adds a route that takes no body, without a gate. */
    ApiRoutes add(String method, String template, Endpoint endpoint) {
        return add(method, template, new Route(method, endpoint, null, false, null));
    }

    ApiRoutes add(String method, String template, Route route) {
        UriTemplatePathSpec spec = new UriTemplatePathSpec(template);
        Map<String, Route> byMethod = mappings.get(spec);
        if (byMethod == null) {
            byMethod = new LinkedHashMap<>();
            mappings.put(spec, byMethod);
        }
        byMethod.put(method, route);
        return this;
    }

    /**
     * @param method the request's method, upper case
     * @param path the request's path in context; one trailing slash is ignored
     * @return the route and its parameters, or the 405 answer
     * @throws CloudError 404 if no route knows the path
     */
    Match match(String method, String path) throws CloudError {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        Set<String> allowed = new TreeSet<>();
        // most specific template first: /api/v1/devices/register before /api/v1/devices/{id}
        for (MatchedResource<Map<String, Route>> m : mappings.getMatchedList(p)) {
            Map<String, Route> byMethod = m.getResource();
            Route r = byMethod.get(method);
            if (r == null && "HEAD".equals(method)) {
                r = byMethod.get("GET");
            }
            if (r != null) {
                return new Match(r, ((UriTemplatePathSpec) m.getPathSpec()).getPathParams(p), null);
            }
            allowed.addAll(byMethod.keySet());
        }
        if (allowed.isEmpty()) {
            throw new CloudError(404, "not_found", "No such endpoint: " + path);
        }
        CloudError e = new CloudError(405, "method_not_allowed",
                "Method " + method + " is not allowed on " + path + "; allowed: " + String.join(", ", allowed));
        return new Match(null, null, new Reply(405, Reply.errorBody(e.code(), e.getMessage()),
                Map.of("Allow", String.join(", ", allowed))));
    }
}
