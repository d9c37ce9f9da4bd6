package io.edgeflow.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.osgi.framework.Version;

/**
 * What the launcher put into the framework, per shipped bundle: {@code shipped-bundles.properties} in the data
 * directory. One line per bundle, {@code <symbolic name>=<version>;<sha-256>;<bundle id>;<last modified>}, written
 * atomically (temporary file, fsync, rename) after every start, so a kill -9 leaves either the old or the new
 * record, never half of one. An unreadable record is treated as absent, which is safe: every bundle then counts as
 * changed at run time and the higher version wins.
 */
final class LauncherState {
    /** The file, in the data directory. */
    static final String FILE = "shipped-bundles.properties";

    /** One bundle as the launcher left it; bundle id -1 marks one it did not install itself. */
    record Entry(Version version, String digest, long bundleId, long lastModified) {
        String format() {
            return version + ";" + digest + ";" + bundleId + ";" + lastModified;
        }

        static Entry parse(String text) {
            String[] parts = text.split(";");
            if (parts.length != 4) {
                return null;
            }
            try {
                return new Entry(Version.parseVersion(parts[0]), parts[1], Long.parseLong(parts[2]),
                        Long.parseLong(parts[3]));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    private LauncherState() {
    }

    /**
     * @param dataDir the data directory
     * @return the entries by symbolic name; empty if there is no (readable) record
     */
    static Map<String, Entry> read(Path dataDir) {
        Map<String, Entry> entries = new TreeMap<>();
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(dataDir.resolve(FILE), StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            return entries;
        } catch (IOException | IllegalArgumentException e) {
            return entries;
        }
        for (String name : properties.stringPropertyNames()) {
            Entry entry = Entry.parse(properties.getProperty(name));
            if (entry != null) {
                entries.put(name, entry);
            }
        }
        return entries;
    }

    /**
     * Replaces the record atomically.
     *
     * @param dataDir the data directory
     * @param entries the entries by symbolic name
     * @throws IOException if it cannot be written
     */
    static void write(Path dataDir, Map<String, Entry> entries) throws IOException {
        StringBuilder text = new StringBuilder("# The bundles edgeflow.jar installed, as it left them: "
                + "<symbolic name>=<version>;<sha-256>;<bundle id>;<last modified>.\n"
                + "# Written by the launcher at every start (docs/running.md, \"Bundles across restarts and upgrades\").\n");
        new TreeMap<>(entries).forEach((name, e) -> text.append(name).append('=').append(e.format()).append('\n'));
        Path target = dataDir.resolve(FILE);
        Path temp = dataDir.resolve(FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING); OutputStream out = java.nio.channels.Channels.newOutputStream(
                        channel)) {
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            channel.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
