package io.edgeflow.provisioning.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The codes this device has used, as fingerprints ({@link ProvisioningCode#fingerprint()}), so that a code
 * still sitting in the env file after it provisioned the device is recognised and ignored, even if Config
 * Admin receives it again. Only codes the cloud has consumed are recorded: they can never be used again,
 * so their fingerprints protect nothing. Kept in this bundle's data area, written atomically.
 */
class UsedCodes {
    private static final int KEEP = 32;

    private final Path file;
    private final Set<String> fingerprints = new LinkedHashSet<>();

    /**
     * @param file where the fingerprints live, or null to keep them in memory only
     */
    UsedCodes(Path file) {
        this.file = file;
        if (file != null) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                    if (line.matches("[0-9a-f]{64}")) {
                        fingerprints.add(line);
                    }
                }
            } catch (NoSuchFileException e) {
                // no code used yet
            } catch (IOException e) {
                // unreadable: Config Admin no longer holding a used code is the first line of defence
            }
        }
    }

    synchronized boolean contains(ProvisioningCode code) {
        return fingerprints.contains(code.fingerprint());
    }

    /**
     * @param code a code the cloud has consumed
     * @throws IOException if the file cannot be written
     */
    synchronized void add(ProvisioningCode code) throws IOException {
        if (!fingerprints.add(code.fingerprint())) {
            return;
        }
        while (fingerprints.size() > KEEP) {
            fingerprints.remove(fingerprints.iterator().next());
        }
        if (file == null) {
            return;
        }
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.createDirectories(file.getParent());
        Files.write(temp, List.copyOf(fingerprints), StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
