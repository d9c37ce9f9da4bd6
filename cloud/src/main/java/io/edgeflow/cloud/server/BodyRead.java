package io.edgeflow.cloud.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

import io.edgeflow.cloud.provisioning.CloudError;

/**
 * Reads one request body without holding a thread while it arrives: what is there is taken, then Jetty is
 * asked to call back when more comes ({@link Request#demand}). A body that is not whole within the body
 * timeout ends the read with a {@link TimeoutException}: a slow or stalled client costs its connection, never
 * a server thread. The outcome is given exactly once, to {@link Done}.
 */
final class BodyRead implements Runnable {
    /** What became of the body. */
    @FunctionalInterface
    interface Done {
        /**
         * @param body the whole body, or null if it could not be read
         * @param received how many bytes arrived
         * @param failure null, or why not: a {@link CloudError} (too large), a {@link TimeoutException}, or what
         *        Jetty failed the read with (broken framing, the connection closed)
         */
        void complete(byte[] body, int received, Throwable failure);
    }

    private final Request request;
    private final int maxBytes;
    private final Done done;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Scheduler.Task deadline;

    private BodyRead(Request request, int maxBytes, Done done) {
        this.request = request;
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
        BodyRead read = new BodyRead(request, maxBytes, done);
        Scheduler scheduler = request.getComponents().getScheduler();
        read.deadline = scheduler.schedule(read::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
        read.run();
    }

    /** Takes what has arrived; asks to be called again when there is more. */
    @Override
    public void run() {
        while (!finished.get()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                // a transient failure (not last) is Jetty's idle timeout: a stall like any other
                Throwable failure = chunk.getFailure();
                finish(null, chunk.isLast() ? failure : new TimeoutException("idle: " + failure));
                return;
            }
            ByteBuffer bytes = chunk.getByteBuffer();
            int n = bytes.remaining();
            if (body.size() + n > maxBytes) {
                chunk.release();
                finish(null, new CloudError(413, "invalid_request", "The body is larger than " + maxBytes + " bytes."));
                return;
            }
            if (bytes.hasArray()) {
                body.write(bytes.array(), bytes.arrayOffset() + bytes.position(), n);
            } else {
                byte[] copy = new byte[n];
                bytes.get(copy);
                body.write(copy, 0, n);
            }
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                finish(body.toByteArray(), null);
                return;
            }
        }
    }

    private void expire() {
        finish(null, new TimeoutException("the body was not complete within the body timeout"));
    }

    private void finish(byte[] whole, Throwable failure) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        Scheduler.Task task = deadline;
        if (task != null) {
            task.cancel();
        }
        int received;
        synchronized (body) {
            received = body.size();
        }
        done.complete(whole, received, failure);
    }
}
