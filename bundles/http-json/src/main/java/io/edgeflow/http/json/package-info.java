/**
 * What every servlet of the local API shares: {@link io.edgeflow.http.json.JsonServlet} (JSON answers,
 * {@code {"error": "...", "message": "..."}} bodies, the limits on the request head and body, no stack trace to
 * the caller), {@link io.edgeflow.http.json.ApiError} and {@link io.edgeflow.http.json.CallerCheck} (loopback
 * or API token for endpoints that change something).
 * <p>
 * A build-time library: each bundle that serves part of the local API embeds a private copy of this package
 * (bnd {@code -conditionalpackage}, together with {@code io.edgeflow.json}); no bundle exports or imports it, so
 * each of them can be replaced on its own.
 */
package io.edgeflow.http.json;
