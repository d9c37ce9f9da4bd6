package io.edgeflow.cloud.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;

import org.eclipse.jetty.server.Request;

import io.edgeflow.cloud.provisioning.CloudError;

/**
 * Reads one JSON body into memory ({@link DemandedRead}: no thread held while it arrives, within the body
 * timeout), up to a size limit. The outcome is given exactly once, to {@link Done}.
 */
final class BodyRead extends DemandedRead {
    /** What became of the body. */
    @FunctionalInterface
    interface Done {
        /**
         * @param body the whole body, or null if it could not be read
         * @param received how many bytes arrived
         * @param failure null, or why not: a {@link CloudError} (too large), a {@link java.util.concurrent.TimeoutException},
         *        or what Jetty failed the read with (broken framing, the connection closed)
         */
        void complete(byte[] body, int received, Throwable failure);
    }

    private final int maxBytes;
    private final Done done;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    private BodyRead(Request request, int maxBytes, Done done) {
        super(request, "body");
        this.maxBytes = maxBytes;
        this.done = done;
    }

    /**
     * Starts reading; {@code done} may be called before this returns (a body that came with the request head)
     * or later, on another thread.
     *
     * @param request the request
     * @param maxBytes larger bodies end the read with a 413 {@link CloudError}
     * @param timeout the whole body must have arrived within this long
     * @param done told the outcome, once
     */
    static void start(Request request, int maxBytes, Duration timeout, Done done) {
        new BodyRead(request, maxBytes, done).begin(timeout);
    }

    @Override
    Throwable take(ByteBuffer bytes) {
        int n = bytes.remaining();
        synchronized (body) {
            if (body.size() + n > maxBytes) {
                return new CloudError(413, "invalid_request", "The body is larger than " + maxBytes + " bytes.");
            }
            if (bytes.hasArray()) {
                body.write(bytes.array(), bytes.arrayOffset() + bytes.position(), n);
            } else {
                byte[] copy = new byte[n];
                bytes.get(copy);
                body.write(copy, 0, n);
            }
        }
        return null;
    }

    @Override
    void ended(boolean whole, Throwable failure) {
        byte[] bytes;
        int received;
        synchronized (body) {
            received = body.size();
            bytes = whole ? body.toByteArray() : null;
        }
        done.complete(bytes, received, failure);
    }
}
