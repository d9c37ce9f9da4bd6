package io.edgeflow.facts.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The files of one machine, below a root that is {@code /} on the device itself and a copy of another
 * machine's {@code /proc} and {@code /sys} in tests and support cases. A file that is missing reads as
 * empty without a word; a file that exists but cannot be read adds a warning. Nothing here throws.
 * <p>
 * Shared by the hardware and the network facts bundles at build time: each embeds a private copy of this
 * package (bnd {@code -conditionalpackage}), so neither exports or imports it and both stay leaves.
 */
public final class RootFiles {
    /** No fact file is this large; a larger one is not what we expect and is not read. */
    public static final int MAX_BYTES = 4 * 1024 * 1024;

    private final Path root;
    private final List<String> warnings;

    /**
     * @param root the machine's root directory
     * @param warnings where readable warnings go
     */
    public RootFiles(Path root, List<String> warnings) {
        this.root = root;
        this.warnings = warnings;
    }

    /** @return the file system path of an absolute path on the machine, for example {@code /proc/meminfo} */
    public Path path(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    /** @return the path as a person should see it in a warning */
    public String show(String absolute) {
        return path(absolute).toString();
    }

    /** @return true if the path exists on the machine */
    public boolean exists(String absolute) {
        return Files.exists(path(absolute));
    }

    /** @return true if the path is a directory on the machine */
    public boolean isDirectory(String absolute) {
        return Files.isDirectory(path(absolute));
    }

    /**
     * Lists a directory.
     *
     * @param absolute the directory on the machine
     * @param field the fact it is read for, named in warnings
     * @return the names of its entries, sorted; empty when it is missing or unreadable
     */
    public List<String> list(String absolute, String field) {
        Path dir = path(absolute);
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> names = new ArrayList<>();
            entries.forEach(p -> names.add(p.getFileName().toString()));
            names.sort(null);
            return names;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | RuntimeException e) {
            warn(field, dir + " could not be listed (" + e.getClass().getSimpleName() + ")");
            return List.of();
        }
    }

    /**
     * Reads a whole file.
     *
     * @param absolute the path on the machine
     * @param field the fact this file is read for, named in warnings
     * @return its bytes; empty when it is missing, unreadable or too large
     */
    public Optional<byte[]> bytes(String absolute, String field) {
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
     *
     * @param absolute the path on the machine
     * @param field the fact this file is read for, named in warnings
     * @return its text; empty when it is missing, unreadable or too large
     */
    public Optional<String> text(String absolute, String field) {
        return bytes(absolute, field).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /**
     * Reads a whole file as text, like {@link #text}, for a file the fact expects to find: a missing file is a
     * warning of its own, {@code <file> is missing} followed by what that means.
     *
     * @param absolute the path on the machine
     * @param field the fact this file is read for, named in warnings
     * @param consequence what the file's absence means, appended to the warning (for example
     *        {@code ": IPv4 addresses are unknown"}); empty when it goes without saying
     * @return its text; empty when it is missing, unreadable or too large
     */
    public Optional<String> expectedText(String absolute, String field, String consequence) {
        Optional<String> text = text(absolute, field);
        if (text.isEmpty() && !exists(absolute)) {
            warn(field, show(absolute) + " is missing" + consequence);
        }
        return text;
    }

    /**
     * Adds a warning about a fact.
     *
     * @param field the fact
     * @param message what went wrong, naming the file
     */
    public void warn(String field, String message) {
        warnings.add(field + ": " + message);
    }

    /**
     * The configured root of a fact bundle ({@code sysroot}), checked.
     *
     * @param value the configured root
     * @return it as a normalised path
     * @throws IllegalArgumentException naming the property when it is not an absolute path
     */
    public static Path sysroot(String value) {
        String v = value == null ? "" : value.strip();
        try {
            Path path = Path.of(v);
            if (v.isEmpty() || !path.isAbsolute()) {
                throw new IllegalArgumentException("sysroot must be an absolute path, got '" + v + "'");
            }
            return path.normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("sysroot must be an absolute path, got '" + v + "'", e);
        }
    }
}
