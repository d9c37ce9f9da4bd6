package io.edgeflow.provisioning.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import io.edgeflow.keyfile.KeyFile;

/**
 * The codes this device has used, as keyed fingerprints ({@link ProvisioningCode#fingerprint}), so that a code
 * still sitting in the env file after it provisioned the device is recognised and ignored, even if Config
 * Admin receives it again. Only codes the cloud has consumed are recorded. The fingerprint key is 32 random
 * bytes in a file of mode 0600 beside the list; the list is written atomically, mode 0600. Fingerprints of
 * version 0.1 (unkeyed) are still recognised.
 */
class UsedCodes {
    private static final int KEEP = 32;
    private static final int KEY_SIZE = 32;
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path file;
    private final SecretKey key;
    private final Set<String> fingerprints = new LinkedHashSet<>();

    /**
     * @param file where the fingerprints live, or null to keep them in memory only (under a key for this run)
     */
    UsedCodes(Path file) {
        this.file = file;
        this.key = key(file == null ? null : file.resolveSibling(file.getFileName() + ".key"));
        if (file != null) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                    if (line.matches("(" + ProvisioningCode.KEYED + ")?[0-9a-f]{64}")) {
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

    private static SecretKey key(Path keyFile) {
        SecureRandom random = new SecureRandom();
        byte[] bytes = null;
        try {
            if (keyFile != null) {
                bytes = KeyFile.readOrCreate(keyFile, KEY_SIZE, random);
            }
        } catch (IOException e) {
            bytes = null; // a key for this run: used codes are recognised until the agent stops
        }
        if (bytes == null) {
            bytes = new byte[KEY_SIZE];
            random.nextBytes(bytes);
        }
        try {
            return new SecretKeySpec(bytes, "HmacSHA256");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    synchronized boolean contains(ProvisioningCode code) {
        return fingerprints.contains(code.fingerprint(key)) || fingerprints.contains(code.unkeyedFingerprint());
    }

    /**
     * @param code a code the cloud has consumed
     * @throws IOException if the file cannot be written
     */
    synchronized void add(ProvisioningCode code) throws IOException {
        if (!fingerprints.add(code.fingerprint(key))) {
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
        Files.deleteIfExists(temp);
        if (POSIX) {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.write(temp, List.copyOf(fingerprints), StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
