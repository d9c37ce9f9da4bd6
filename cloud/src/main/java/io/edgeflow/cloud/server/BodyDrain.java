package io.edgeflow.cloud.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads and discards what is left of a request body after the answer was sent, before the connection is
 * closed. An answer given before the body was read (401, 405, 413, 415, 429) ends with
 * {@code Connection: close}; closing a socket with unread bytes in its receive buffer makes the kernel send a
 * reset, and a client still sending its body (the JDK's client writes the whole body before it reads) may
 * then lose the answer it had not read yet. So the answer goes out first (Jetty shuts the output down after
 * an answer with {@code Connection: close}: a half-close, the client sees the answer end), the rest of the
 * body is read without a thread held while it arrives ({@link Request#demand}), and only then is the request
 * complete and the connection closed: an orderly close, after the client has sent all it meant to.
 *
 * <p>Jetty 12.1 has no lingering close of its own: {@code HttpConfiguration.maxUnconsumedRequestContentReads}
 * only takes what has already arrived, and a closing connection discards little more (its parser gives up
 * past the request header size, 8 KiB) before it closes, with a reset if more is on its way.
 *
 * <p>Bounded: at most {@link #MAX_BYTES} bytes and the body timeout for that many
 * ({@link ConnectionLimits#bodyTimeoutFor}), and Jetty's idle timeout if the client stalls. Past either
 * bound the connection is closed with whatever is still unread (a reset again: the client had its answer
 * all that while).
 */
final class BodyDrain implements Runnable {
    /** At most this many bytes of a refused body are read (and discarded) before the connection is closed. */
    static final long MAX_BYTES = 4L * 1024 * 1024;

    private final Request request;
    private final Callback callback;
    private long discarded;
    private boolean finished;
    private Scheduler.Task deadline;

    private BodyDrain(Request request, Callback callback) {
        this.request = request;
        this.callback = callback;
    }

    /**
     * @param request a request whose body was not read
     * @param limits the body timeout
     * @param callback the request's callback: completed once the body is drained or a bound is reached
     * @return the callback for writing the answer: when the answer is written, the drain starts
     */
    static Callback afterAnswer(Request request, ConnectionLimits limits, Callback callback) {
        long length = request.getLength();
        Duration timeout = limits.bodyTimeoutFor(length < 0 ? -1 : Math.min(length, MAX_BYTES));
        return Callback.from(() -> start(request, timeout, callback), callback::failed);
    }

    private static void start(Request request, Duration timeout, Callback callback) {
        BodyDrain drain = new BodyDrain(request, callback);
        Scheduler scheduler = request.getComponents().getScheduler();
        Scheduler.Task task = scheduler.schedule(drain::stop, timeout.toMillis(), TimeUnit.MILLISECONDS);
        synchronized (drain) {
            drain.deadline = task;
        }
        drain.run();
    }

    /** Discards what has arrived; asks to be called again when there is more. */
    @Override
    public void run() {
        boolean ended = false;
        synchronized (this) {
            while (!finished) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                boolean end = chunk.isLast() || Content.Chunk.isFailure(chunk);
                discarded += chunk.remaining();
                chunk.release();
                if (end || discarded > MAX_BYTES) {
                    finished = true;
                    ended = true;
                }
            }
        }
        if (ended) {
            done();
        }
    }

    /** The time is up: the connection is closed with what is still unread. */
    private void stop() {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
        }
        done();
    }

    /** Called once, by whoever set {@code finished}. */
    private void done() {
        Scheduler.Task task;
        synchronized (this) {
            task = deadline;
            deadline = null;
        }
        if (task != null) {
            task.cancel();
        }
        callback.succeeded();
    }
}
