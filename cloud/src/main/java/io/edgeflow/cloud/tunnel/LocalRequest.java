package io.edgeflow.cloud.tunnel;

import java.util.Map;

/**
 * A request for a device's local API, sent through its tunnel.
 *
 * @param method GET, POST, PUT or DELETE
 * @param path the path on the device, under {@code /api/v1/}, with its query string if any
 * @param headers the request headers passed on (lower-case names: {@code content-type}, {@code accept})
 * @param body the body, or an empty array
 */
public record LocalRequest(String method, String path, Map<String, String> headers, byte[] body) {
}
