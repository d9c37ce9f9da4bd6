package io.edgeflow.vault.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The identity of this machine, which the vault key is bound to: the contents of
 * {@code /etc/machine-id} (systemd, generated once at first boot) where it exists. Treated as
 * confidential, as systemd asks: never logged.
 */
final class MachineIdentity {
    /** Where systemd keeps the machine identity. */
    static final String DEFAULT_FILE = "/etc/machine-id";
    private static final int MAX_BYTES = 1024;

    private MachineIdentity() {
    }

    /**
     * Reads the machine identity. A missing file (or no file configured) means no identity: the vault is
     * then bound to the key file alone. A file that exists but cannot be read is an error, because
     * reading it as "no identity" would make the vault unreadable for the wrong reason.
     *
     * @param file the file, or null for none
     * @return the identity with surrounding white space removed; empty if there is none
     * @throws IOException if the file exists but cannot be read, or is implausibly large
     */
    static byte[] read(Path file) throws IOException {
        if (file == null) {
            return new byte[0];
        }
        byte[] raw;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IOException("the machine identity file " + file + " is larger than " + MAX_BYTES + " bytes");
            }
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new byte[0];
        }
        int start = 0;
        int end = raw.length;
        while (start < end && isWhite(raw[start])) {
            start++;
        }
        while (end > start && isWhite(raw[end - 1])) {
            end--;
        }
        return Arrays.copyOfRange(raw, start, end);
    }

    /**
     * @param file the file, or null
     * @return a description for logs, without the identity itself
     */
    static String describe(Path file) {
        if (file == null) {
            return "no machine identity (machine binding switched off)";
        }
        return Files.exists(file) ? "machine identity from " + file
                : "no machine identity (" + file + " does not exist): bound to the key file only";
    }

    private static boolean isWhite(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
