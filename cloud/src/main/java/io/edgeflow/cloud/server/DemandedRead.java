package io.edgeflow.cloud.server;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads one request body without holding a thread while it arrives: what is there is taken, then Jetty is asked
 * to call back when more comes ({@link Request#demand}). A body that is not whole within its timeout ends the read
 * with a {@link TimeoutException}: a slow or stalled client costs its connection, never a server thread. What
 * is done with the bytes is the subclass's ({@link #take}); the end is told exactly once ({@link #ended}).
 * <p>
 * Threading: {@link #run} runs on whichever thread Jetty calls back on, one at a time; the deadline fires on
 * Jetty's scheduler; {@link #ended} runs once, on either.
 */
abstract class DemandedRead implements Runnable {
    private final Request request;
    private final String what;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Scheduler.Task deadline;

    /**
     * @param request the request whose body is read
     * @param what what is read, for the timeout's message ("body", "upload")
     */
    DemandedRead(Request request, String what) {
        this.request = request;
        this.what = what;
    }

    /**
     * Starts reading; {@link #ended} may be called before this returns (a body that came with the request head)
     * or later, on another thread.
     *
     * @param timeout the whole body must have arrived within this long
     */
    final void begin(Duration timeout) {
        Scheduler scheduler = request.getComponents().getScheduler();
        deadline = scheduler.schedule(this::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
        run();
    }

    /**
     * Takes the bytes of one chunk.
     *
     * @param bytes the chunk's bytes, valid only during this call
     * @return null to go on, or why the read ends here (a body too large, a disk that failed)
     */
    abstract Throwable take(ByteBuffer bytes);

    /**
     * Told once how the read ended.
     *
     * @param whole true if the whole body was taken
     * @param failure null if whole, or why not: what {@link #take} returned, a {@link TimeoutException}, or
     *        what Jetty failed the read with (broken framing, the connection closed)
     */
    abstract void ended(boolean whole, Throwable failure);

    /** Takes what has arrived; asks to be called again when there is more. */
    @Override
    public final void run() {
        while (!finished.get()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                // a transient failure (not last) is Jetty's idle timeout: a stall like any other
                Throwable failure = chunk.getFailure();
                finish(false, chunk.isLast() ? failure : new TimeoutException("idle: " + failure));
                return;
            }
            Throwable refused = take(chunk.getByteBuffer());
            boolean last = chunk.isLast();
            chunk.release();
            if (refused != null || last) {
                finish(refused == null, refused);
                return;
            }
        }
    }

    private void expire() {
        finish(false, new TimeoutException("the " + what + " was not complete within the body timeout"));
    }

    private void finish(boolean whole, Throwable failure) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        Scheduler.Task task = deadline;
        if (task != null) {
            task.cancel();
        }
        ended(whole, failure);
    }
}
