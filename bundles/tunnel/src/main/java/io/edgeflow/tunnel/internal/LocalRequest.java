package io.edgeflow.tunnel.internal;

import java.util.Map;

/**
 * A request from the cloud for the local API.
 *
 * @param method GET, POST, PUT or DELETE
 * @param path under {@code /api/v1/}, with its query string if any
 * @param headers headers to pass on (lower-case names, only {@link Protocol#REQUEST_HEADERS})
 * @param body the body, or an empty array
 */
record LocalRequest(String method, String path, Map<String, String> headers, byte[] body) {
}
