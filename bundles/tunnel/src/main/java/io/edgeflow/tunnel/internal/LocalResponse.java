package io.edgeflow.tunnel.internal;

import java.util.Map;

/**
 * The local API's answer.
 *
 * @param status the HTTP status
 * @param headers headers to pass back (lower-case names, only {@link Protocol#RESPONSE_HEADERS})
 * @param body the body, or an empty array
 */
record LocalResponse(int status, Map<String, String> headers, byte[] body) {
}
