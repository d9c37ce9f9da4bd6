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

import org.eclipse.jetty.server.Request;

import io.edgeflow.cloud.FilePermissions;
import io.edgeflow.cloud.provisioning.CloudError;

/**
 * Reads an uploaded file (an artifact) as {@link BodyRead} reads a JSON body, without holding a thread while it
 * arrives, but into a temporary file (mode 0600, fsynced when whole) while its SHA-256 is computed: a 32 MiB upload
 * never sits in memory. The outcome is given exactly once, to {@link Done}; a failed read leaves no file behind.
 */
final class UploadRead extends DemandedRead {
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
         *        {@link java.util.concurrent.TimeoutException}, or what Jetty failed the read with
         */
        void complete(Upload upload, long received, Throwable failure);
    }

    private final long maxBytes;
    private final Path file;
    private final FileChannel channel;
    private final MessageDigest digest;
    private final Done done;
    /** Written by {@link #take} (one call at a time), read by {@link #ended}: Jetty's demand hands over between them. */
    private volatile long received;

    private UploadRead(Request request, long maxBytes, Path file, FileChannel channel, Done done) {
        super(request, "upload");
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
        new UploadRead(request, maxBytes, file, channel, done).begin(timeout);
    }

    @Override
    Throwable take(ByteBuffer bytes) {
        int n = bytes.remaining();
        if (received + n > maxBytes) {
            return new CloudError(413, "body_too_large", "The upload is larger than " + maxBytes
                    + " bytes (the cloud's --max-artifact-size).");
        }
        try {
            digest.update(bytes.duplicate());
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            return e;
        }
        received += n;
        return null;
    }

    @Override
    void ended(boolean whole, Throwable failure) {
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
