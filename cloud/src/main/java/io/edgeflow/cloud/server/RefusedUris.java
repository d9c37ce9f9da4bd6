package io.edgeflow.cloud.server;

import org.eclipse.jetty.http.ComplianceUtils;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import io.edgeflow.cloud.provisioning.CloudError;

/**
 * Refuses a request whose URI Jetty's default compliance does not allow (an ambiguous {@code %2F} or
 * {@code %2e%2e} segment, {@code %00}, {@code %25}, an empty segment, bytes that are not UTF-8) with the 400
 * and message Jetty gave, but the way the API answers every refusal before a body is read: with
 * {@code Connection: close} and the rest of the body read before the close ({@link BodyDrain}). Jetty refused
 * such requests itself, before any handler, and closed with the body unread: a reset, and a client still sending
 * its body (the JDK's client writes it whole before it reads) lost the answer. So the connector accepts every
 * URI ({@link UriCompliance#UNSAFE}, see {@link CloudServer}) and this handler, the outermost (before the tunnel's
 * upgrade), holds the line at {@link #COMPLIANCE}: nothing behind it sees such a URI.
 * <p>
 * Threading: stateless; any request thread.
 */
final class RefusedUris extends Handler.Wrapper {
    /** What the cloud accepts: Jetty's default. */
    static final UriCompliance COMPLIANCE = UriCompliance.DEFAULT;

    private final ApiHandler answers;

    /**
     * @param next the handlers behind this one
     * @param answers writes the refusal as every other API answer
     */
    RefusedUris(Handler next, ApiHandler answers) {
        super(next);
        this.answers = answers;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        try {
            ComplianceUtils.verify(COMPLIANCE, request.getHttpURI(), null,
                    message -> new CloudError(400, "invalid_request", message));
        } catch (CloudError refused) {
            answers.finish(request, response, Reply.error(refused), HttpMethod.HEAD.is(request.getMethod()), true,
                    callback);
            return true;
        }
        return super.handle(request, response, callback);
    }
}
