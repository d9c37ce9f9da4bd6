package io.edgeflow.facts.hardware.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The files of one machine, below a root that is {@code /} on the device itself and a copy of another
 * machine's {@code /proc} and {@code /sys} in tests and support cases. A file that is missing reads as
 * empty without a word; a file that exists but cannot be read adds a warning. Nothing here throws.
 */
final class RootFiles {
    /** No fact file is this large; a larger one is not what we expect and is not read. */
    static final int MAX_BYTES = 4 * 1024 * 1024;

    private final Path root;
    private final List<String> warnings;

    /**
     * @param root the machine's root directory
     * @param warnings where readable warnings go
     */
    RootFiles(Path root, List<String> warnings) {
        this.root = root;
        this.warnings = warnings;
    }

    /** @return the file system path of an absolute path on the machine, for example {@code /proc/meminfo} */
    Path path(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    /** @return the path as a person should see it in a warning */
    String show(String absolute) {
        return path(absolute).toString();
    }

    boolean exists(String absolute) {
        return Files.exists(path(absolute));
    }

    /**
     * Reads a whole file.
     *
     * @param absolute the path on the machine
     * @param field the fact this file is read for, named in warnings
     * @return its bytes; empty when it is missing, unreadable or too large
     */
    Optional<byte[]> bytes(String absolute, String field) {
        Path file = path(absolute);
        try (InputStream in = Files.newInputStream(file)) {
            // /proc and /sys files report a size of 0 or 4096: read to the end, with a limit
            byte[] content = in.readNBytes(MAX_BYTES + 1);
            if (content.length > MAX_BYTES) {
                warn(field, file + " is larger than " + MAX_BYTES + " bytes and was not read");
                return Optional.empty();
            }
            return Optional.of(content);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (AccessDeniedException e) {
            warn(field, file + " could not be read (permission denied)");
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            warn(field, file + " could not be read (" + reason + ")");
        } catch (RuntimeException e) {
            warn(field, file + " could not be read (" + e.getClass().getSimpleName() + ")");
        }
        return Optional.empty();
    }

    /**
     * Reads a whole file as text. Bytes that are not UTF-8 become U+FFFD, so garbage shows as garbage
     * rather than failing the read.
     */
    Optional<String> text(String absolute, String field) {
        return bytes(absolute, field).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** Adds a warning about a fact. */
    void warn(String field, String message) {
        warnings.add(field + ": " + message);
    }
}
