package io.edgeflow.inventory.internal;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeflow.bundlecontent.BundleContent;

/**
 * The SHA-256 of each bundle's content: the bytes of the jar it was installed or last updated from. The framework
 * gives no standard access to them, so this looks, in order, at
 * <ol>
 * <li>the launcher's record ({@code <data dir>/shipped-bundles.properties}), which holds the digest of each bundle
 * edgeflow.jar installed; used only while the bundle's id, version and last-modified time are still the ones the
 * record names (an update at run time changes the last-modified time, and the record no longer counts);</li>
 * <li>the framework's storage, in Apache Felix's layout ({@code <storage>/bundle<id>/version<n>.<r>/bundle.jar},
 * the newest revision): the copy Felix made of the jar as it was installed or updated, byte for byte; a revision
 * installed by reference ({@code reference:file:...}) is read at the file it names;</li>
 * <li>a location that is a {@code file:} (or {@code reference:file:}) URL naming a jar file.</li>
 * </ol>
 * Otherwise (the system bundle, a bundle installed from a directory, another framework's storage) the digest is
 * unknown. A digest computed from a file is kept per bundle id and last-modified time, so a listing reads each jar
 * once until the bundle changes.
 */
final class BundleDigests {
    private static final Logger LOG = LoggerFactory.getLogger(BundleDigests.class);
    /** The launcher's record in the data directory (launcher/, LauncherState). */
    static final String LAUNCHER_RECORD = "shipped-bundles.properties";
    private static final Pattern REVISION = Pattern.compile("version(\\d{1,9})\\.(\\d{1,9})");

    /** Where a digest came from, as the inventory shows it. */
    enum Source {
        /** the launcher's record of the bundles it installed */
        LAUNCHER("launcher_record"),
        /** the framework's copy of the jar */
        STORAGE("framework_storage"),
        /** the file the bundle's location names */
        LOCATION("location");

        private final String json;

        Source(String json) {
            this.json = json;
        }

        /** @return the name in JSON */
        String json() {
            return json;
        }
    }

    /**
     * A bundle's digest.
     *
     * @param sha256 64 lower-case hex digits
     * @param source where it came from
     */
    record Digest(String sha256, Source source) {
    }

    private record Cached(long lastModified, Digest digest) {
    }

    private final Path storage;
    private final Path dataDir;
    private final Map<Long, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param storage the framework storage directory, or null if unknown
     * @param dataDir the agent's data directory (where the launcher keeps its record), or null if unknown
     */
    BundleDigests(Path storage, Path dataDir) {
        this.storage = storage;
        this.dataDir = dataDir;
    }

    /**
     * The launcher's record, read once per listing.
     *
     * @return the entries by symbolic name; empty if there is none
     */
    Map<String, String> launcherRecord() {
        if (dataDir == null) {
            return Map.of();
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(dataDir.resolve(LAUNCHER_RECORD), StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return Map.of();
        }
        Map<String, String> entries = new java.util.HashMap<>();
        for (String name : properties.stringPropertyNames()) {
            entries.put(name, properties.getProperty(name));
        }
        return entries;
    }

    /**
     * @param bundle the bundle
     * @param record the launcher's record ({@link #launcherRecord()})
     * @return its digest, or null if none of the rules finds its content
     */
    Digest of(Bundle bundle, Map<String, String> record) {
        long lastModified = bundle.getLastModified();
        Digest recorded = fromLauncherRecord(bundle, record.get(bundle.getSymbolicName()), lastModified);
        if (recorded != null) {
            return recorded;
        }
        Cached cached = cache.get(bundle.getBundleId());
        if (cached != null && cached.lastModified() == lastModified) {
            return cached.digest();
        }
        Digest digest = fromStorage(bundle);
        if (digest == null) {
            digest = fromLocation(bundle.getLocation());
        }
        if (digest != null) {
            cache.put(bundle.getBundleId(), new Cached(lastModified, digest));
        }
        return digest;
    }

    /** Forgets the digests of bundles that are no longer installed. */
    void retainOnly(Set<Long> bundleIds) {
        cache.keySet().retainAll(bundleIds);
    }

    /** Entry: {@code <version>;<base64 sha-256>;<bundle id>;<last modified>}. */
    static Digest fromLauncherRecord(Bundle bundle, String entry, long lastModified) {
        if (entry == null) {
            return null;
        }
        String[] parts = entry.split(";");
        if (parts.length != 4) {
            return null;
        }
        try {
            if (!parts[0].equals(bundle.getVersion().toString()) || Long.parseLong(parts[2]) != bundle.getBundleId()
                    || Long.parseLong(parts[3]) != lastModified) {
                return null;
            }
            byte[] sha = Base64.getDecoder().decode(parts[1]);
            return sha.length == 32 ? new Digest(HexFormat.of().formatHex(sha), Source.LAUNCHER) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Digest fromStorage(Bundle bundle) {
        if (storage == null) {
            return null;
        }
        Path dir = storage.resolve("bundle" + bundle.getBundleId());
        if (!Files.isRegularFile(dir.resolve("bundle.info"))) {
            return null;
        }
        Path newest = null;
        long newestRank = -1;
        try (DirectoryStream<Path> revisions = Files.newDirectoryStream(dir, "version*")) {
            for (Path revision : revisions) {
                Matcher m = REVISION.matcher(revision.getFileName().toString());
                if (m.matches()) {
                    long rank = Long.parseLong(m.group(1)) * 1_000_000_000L + Long.parseLong(m.group(2));
                    if (rank > newestRank) {
                        newestRank = rank;
                        newest = revision;
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
        if (newest == null) {
            return null;
        }
        Path jar = newest.resolve("bundle.jar");
        if (!Files.isRegularFile(jar)) {
            try {
                List<String> location = Files.readAllLines(newest.resolve("revision.location"),
                        StandardCharsets.UTF_8);
                jar = location.isEmpty() ? null : fileOf(location.get(0).strip());
            } catch (IOException e) {
                jar = null;
            }
        }
        return jar == null ? null : hash(jar, Source.STORAGE);
    }

    private static Digest fromLocation(String location) {
        Path file = fileOf(location);
        return file == null ? null : hash(file, Source.LOCATION);
    }

    /** @return the regular file a {@code file:} or {@code reference:file:} URL names, or null */
    static Path fileOf(String location) {
        if (location == null) {
            return null;
        }
        String url = location.startsWith("reference:") ? location.substring("reference:".length()) : location;
        if (!url.startsWith("file:")) {
            return null;
        }
        try {
            Path path = Path.of(URI.create(url.replace(" ", "%20")));
            return Files.isRegularFile(path) ? path : null;
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            // file:relative/path or another odd URL: no file to read
            try {
                Path path = Path.of(url.substring("file:".length()));
                return Files.isRegularFile(path) ? path : null;
            } catch (InvalidPathException again) {
                return null;
            }
        }
    }

    private static Digest hash(Path file, Source source) {
        try {
            return new Digest(BundleContent.sha256(file), source);
        } catch (IOException e) {
            LOG.debug("Bundle content {} not read for its digest: {}", file, e.toString());
            return null;
        }
    }
}
