package io.edgeflow.cloud.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

import io.edgeflow.cloud.FilePermissions;
import io.edgeflow.cloud.provisioning.CloudError;

/**
 * Reads an uploaded file (an artifact) as {@link BodyRead} reads a JSON body, without holding a thread while it
 * arrives, but into a temporary file (mode 0600, fsynced when whole) while its SHA-256 is computed: a 32 MiB upload
 * never sits in memory. The outcome is given exactly once, to {@link Done}; a failed read leaves no file behind.
 */
final class UploadRead implements Runnable {
    /**
     * A whole upload.
     *
     * @param file the temporary file; whoever takes it moves or deletes it
     * @param sha256 its SHA-256, lower-case hex
     * @param size its size
     */
    record Upload(Path file, String sha256, long size) {
        /** Deletes the file if it is still there. */
        void discard() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the next start clears the incoming directory
            }
        }
    }

    /** What became of the upload. */
    @FunctionalInterface
    interface Done {
        /**
         * @param upload the upload, or null
         * @param received how many bytes arrived
         * @param failure null, or why not: a 413 {@link CloudError}, an {@link IOException} of the disk, a
         *        {@link TimeoutException}, or what Jetty failed the read with
         */
        void complete(Upload upload, long received, Throwable failure);
    }

    private final Request request;
    private final long maxBytes;
    private final Path file;
    private final FileChannel channel;
    private final MessageDigest digest;
    private final Done done;
    private final AtomicBoolean finished = new AtomicBoolean();
    private long received;
    private volatile Scheduler.Task deadline;

    private UploadRead(Request request, long maxBytes, Path file, FileChannel channel, Done done) {
        this.request = request;
        this.maxBytes = maxBytes;
        this.file = file;
        this.channel = channel;
        this.done = done;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts reading; {@code done} may be called before this returns or later, on another thread.
     *
     * @param request the request
     * @param maxBytes larger uploads end with a 413 {@code body_too_large}
     * @param directory where the temporary file goes
     * @param timeout the whole upload must have arrived within this long
     * @param done told the outcome, once
     */
    static void start(Request request, long maxBytes, Path directory, Duration timeout, Done done) {
        Path file;
        FileChannel channel;
        try {
            file = directory.resolve("upload-" + java.util.UUID.randomUUID());
            FilePermissions.createPrivateFile(file);
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
        } catch (IOException e) {
            done.complete(null, 0, e);
            return;
        }
        UploadRead read = new UploadRead(request, maxBytes, file, channel, done);
        Scheduler scheduler = request.getComponents().getScheduler();
        read.deadline = scheduler.schedule(read::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
        read.run();
    }

    @Override
    public void run() {
        while (!finished.get()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable failure = chunk.getFailure();
                finish(false, chunk.isLast() ? failure : new TimeoutException("idle: " + failure));
                return;
            }
            ByteBuffer bytes = chunk.getByteBuffer();
            int n = bytes.remaining();
            if (received + n > maxBytes) {
                chunk.release();
                finish(false, new CloudError(413, "body_too_large", "The upload is larger than " + maxBytes
                        + " bytes (the cloud's --max-artifact-size)."));
                return;
            }
            try {
                digest.update(bytes.duplicate());
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            } catch (IOException e) {
                chunk.release();
                finish(false, e);
                return;
            }
            received += n;
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                finish(true, null);
                return;
            }
        }
    }

    private void expire() {
        finish(false, new TimeoutException("the upload was not complete within the body timeout"));
    }

    private void finish(boolean whole, Throwable failure) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        Scheduler.Task task = deadline;
        if (task != null) {
            task.cancel();
        }
        Throwable outcome = failure;
        try {
            if (whole) {
                channel.force(true);
            }
            channel.close();
        } catch (IOException e) {
            outcome = outcome == null ? e : outcome;
        }
        Upload upload = new Upload(file, HexFormat.of().formatHex(digest.digest()), received);
        if (outcome != null) {
            upload.discard();
            done.complete(null, received, outcome);
            return;
        }
        done.complete(upload, received, null);
    }
}
