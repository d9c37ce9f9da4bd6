package io.edgeflow.cloud.tunnel;

import java.util.Map;

/**
 * A device's answer from its local API.
 *
 * @param status the HTTP status the local API answered
 * @param headers the headers passed on (lower-case names)
 * @param body the body, or an empty array
 */
public record LocalResponse(int status, Map<String, String> headers, byte[] body) {
}
