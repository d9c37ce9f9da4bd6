package io.edgeflow.vault.internal;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

import io.edgeflow.vault.internal.UnreadableVaultException.Problem;

/**
 * The bytes of a vault file, format version 1 (docs/vault-format.md). All integers are big-endian.
 * <pre>
 * offset size  field
 *      0    8  magic 0x89 'E' 'F' 'V' 'A' 'U' 'L' 'T'
 *      8    2  format version (1)
 *     10    2  flags (0 in version 1)
 *     12    8  key id         (identifies the key file, see VaultKeys)
 *     20    8  machine check  (identifies key file + machine identity)
 *     28   12  nonce          (fresh from SecureRandom for every write)
 *     40    4  n: length of what follows (ciphertext and 16-byte tag)
 *     44    n  AES-256-GCM ciphertext || tag; the 44 header bytes are the associated data
 * </pre>
 * The header is authenticated as associated data, so no byte of the file can change without the
 * file failing to open. {@link #open} checks the cheap, key-free facts first (magic, version, sizes)
 * so that a foreign, future or truncated file is reported as what it is rather than as a bad key.
 */
final class VaultFile {
    /** The magic bytes: a high first byte marks a binary file, the rest reads "EFVAULT". */
    static final byte[] MAGIC = {(byte) 0x89, 'E', 'F', 'V', 'A', 'U', 'L', 'T'};
    /** The format version this class writes and reads. */
    static final int FORMAT_VERSION = 1;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    static final int HEADER_BYTES = 44;
    /** Larger contents are refused when written and reported as malformed when read. */
    static final int MAX_PLAINTEXT_BYTES = 64 * 1024;

    static final int VERSION_OFFSET = 8;
    static final int FLAGS_OFFSET = 10;
    static final int KEY_ID_OFFSET = 12;
    static final int MACHINE_CHECK_OFFSET = 20;
    static final int NONCE_OFFSET = 28;
    static final int LENGTH_OFFSET = 40;

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private VaultFile() {
    }

    /**
     * Encrypts contents into the bytes of a vault file.
     *
     * @param keys the keys of this operation
     * @param plaintext the encoded contents; not kept, the caller wipes them
     * @param random where the nonce comes from
     * @return the file's bytes
     */
    static byte[] seal(VaultKeys keys, byte[] plaintext, SecureRandom random) {
        if (plaintext.length > MAX_PLAINTEXT_BYTES) {
            throw new IllegalArgumentException("the vault contents exceed " + MAX_PLAINTEXT_BYTES + " bytes");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        int n = plaintext.length + TAG_BYTES;
        ByteBuffer file = ByteBuffer.allocate(HEADER_BYTES + n);
        file.put(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) 0).put(keys.keyId())
                .put(keys.machineCheck()).put(nonce).putInt(n);
        byte[] bytes = file.array();
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, keys.encryptionKey(), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            cipher.updateAAD(bytes, 0, HEADER_BYTES);
            int written = cipher.doFinal(plaintext, 0, plaintext.length, bytes, HEADER_BYTES);
            if (written != n) {
                throw new IllegalStateException("AES-GCM wrote " + written + " bytes, expected " + n);
            }
            return bytes;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is part of every Java 17 runtime", e);
        }
    }

    /**
     * Checks what can be checked without a key: that this is a vault file, in a version this class
     * reads, complete and without trailing bytes.
     *
     * @param file the file's bytes
     * @throws UnreadableVaultException if it is not a readable version 1 vault file
     */
    static void checkHeader(byte[] file) throws UnreadableVaultException {
        if (file.length == 0) {
            throw truncated("it is empty (0 bytes)");
        }
        int magicBytes = Math.min(file.length, MAGIC.length);
        if (!Arrays.equals(file, 0, magicBytes, MAGIC, 0, magicBytes)) {
            throw new UnreadableVaultException(Problem.FOREIGN_FORMAT,
                    "the file is not an EdgeFlow vault (it does not start with the vault's magic bytes)");
        }
        if (file.length < VERSION_OFFSET + 2) {
            throw truncated("it has " + file.length + " bytes, fewer than the " + HEADER_BYTES + "-byte header");
        }
        int version = ByteBuffer.wrap(file).getShort(VERSION_OFFSET) & 0xFFFF;
        if (version != FORMAT_VERSION) {
            throw new UnreadableVaultException(Problem.UNSUPPORTED_VERSION, version > FORMAT_VERSION
                    ? "the vault is in format version " + version + ", written by a newer EdgeFlow; this agent "
                            + "reads format version " + FORMAT_VERSION
                    : "the vault claims format version " + version + ", which does not exist");
        }
        if (file.length < HEADER_BYTES) {
            throw truncated("it has " + file.length + " bytes, fewer than the " + HEADER_BYTES + "-byte header");
        }
        ByteBuffer header = ByteBuffer.wrap(file, 0, HEADER_BYTES);
        int flags = header.getShort(FLAGS_OFFSET) & 0xFFFF;
        if (flags != 0) {
            throw new UnreadableVaultException(Problem.UNSUPPORTED_FLAGS, String.format(
                    "the vault header sets flags 0x%04x, which format version %d does not define", flags,
                    FORMAT_VERSION));
        }
        long n = header.getInt(LENGTH_OFFSET) & 0xFFFF_FFFFL;
        if (n < TAG_BYTES || n > MAX_PLAINTEXT_BYTES + TAG_BYTES) {
            throw new UnreadableVaultException(Problem.MALFORMED,
                    "the vault header declares an impossible length (" + n + " bytes)");
        }
        long expected = HEADER_BYTES + n;
        if (file.length < expected) {
            throw truncated("it has " + file.length + " bytes, its header declares " + expected);
        }
        if (file.length > expected) {
            throw new UnreadableVaultException(Problem.TRAILING_DATA, "the vault file has " + file.length
                    + " bytes but its header declares " + expected + ": something was appended or the header was altered");
        }
    }

    /**
     * Decrypts a vault file.
     *
     * @param keys the keys of this operation
     * @param file the file's bytes
     * @return the plaintext contents; the caller wipes them
     * @throws UnreadableVaultException if the file is not a complete version 1 vault, was written with
     *         another key or machine identity, or does not authenticate
     */
    static byte[] open(VaultKeys keys, byte[] file) throws UnreadableVaultException {
        checkHeader(file);
        if (!keys.keyIdMatches(Arrays.copyOfRange(file, KEY_ID_OFFSET, KEY_ID_OFFSET + VaultKeys.KEY_ID_BYTES))) {
            throw new UnreadableVaultException(Problem.WRONG_KEY,
                    "the vault was written with a different key file (or its header was altered)");
        }
        if (!keys.machineCheckMatches(
                Arrays.copyOfRange(file, MACHINE_CHECK_OFFSET, MACHINE_CHECK_OFFSET + VaultKeys.MACHINE_CHECK_BYTES))) {
            throw new UnreadableVaultException(Problem.WRONG_MACHINE,
                    "the vault was written on another machine, or this machine's identity changed since "
                            + "(or its header was altered)");
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, keys.encryptionKey(),
                    new GCMParameterSpec(TAG_BYTES * 8, file, NONCE_OFFSET, NONCE_BYTES));
            cipher.updateAAD(file, 0, HEADER_BYTES);
            return cipher.doFinal(file, HEADER_BYTES, file.length - HEADER_BYTES);
        } catch (AEADBadTagException e) {
            throw new UnreadableVaultException(Problem.AUTHENTICATION_FAILED,
                    "the vault does not authenticate: its contents were altered or damaged");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is part of every Java 17 runtime", e);
        }
    }

    private static UnreadableVaultException truncated(String detail) {
        return new UnreadableVaultException(Problem.TRUNCATED, "the vault file is truncated: " + detail);
    }
}
