package io.edgeflow.cloud.updates;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

import io.edgeflow.cloud.FilePermissions;

/**
 * Ed25519 key files as the CLI and the cloud's release key keep them: PEM, the private key as PKCS#8
 * ({@code -----BEGIN PRIVATE KEY-----}, mode 0600, written atomically), the public key as X.509
 * SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}). Keys are the JDK's own; the public key of a
 * private key is derived from its seed, so a private key file alone is enough to sign.
 */
public final class KeyFiles {
    /** The fixed DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410), before the 32 key bytes. */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private KeyFiles() {
    }

    /** @return a new Ed25519 key pair */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    /**
     * Writes a private key, PKCS#8 PEM, mode 0600, atomically.
     *
     * @param key the key
     * @param file where
     * @throws IOException if it cannot be written
     */
    public static void writePrivateKey(PrivateKey key, Path file) throws IOException {
        byte[] der = key.getEncoded();
        byte[] pem = block("PRIVATE KEY", der).getBytes(StandardCharsets.US_ASCII);
        try {
            FilePermissions.writeAtomically(file, pem, true);
        } finally {
            Arrays.fill(der, (byte) 0);
            Arrays.fill(pem, (byte) 0);
        }
    }

    /**
     * Writes a public key, X.509 PEM, mode 0644.
     *
     * @param key the key
     * @param file where
     * @throws IOException if it cannot be written
     */
    public static void writePublicKey(PublicKey key, Path file) throws IOException {
        FilePermissions.writeAtomically(file, block("PUBLIC KEY", key.getEncoded()).getBytes(StandardCharsets.US_ASCII),
                false);
    }

    /**
     * @param file a PKCS#8 PEM file of an Ed25519 private key
     * @return the key
     * @throws IOException if it cannot be read or holds no Ed25519 private key; the message names the file
     */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        byte[] der = der(file, "PRIVATE KEY");
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(file + " does not hold an Ed25519 private key (PKCS#8); make one with "
                    + "'artifacts keygen'");
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /**
     * @param file an X.509 PEM file of an Ed25519 public key
     * @return the key
     * @throws IOException if it cannot be read or holds no Ed25519 public key
     */
    public static PublicKey readPublicKey(Path file) throws IOException {
        byte[] der = der(file, "PUBLIC KEY");
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(file + " does not hold an Ed25519 public key");
        }
    }

    /**
     * @param key an Ed25519 private key (the JDK's)
     * @return its public key
     */
    public static PublicKey publicKeyOf(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
            throw new IllegalArgumentException("not an Ed25519 private key");
        }
        byte[] seed = ed.getBytes().get();
        try {
            byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
            byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + raw.length);
            System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, raw.length);
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    private static byte[] der(Path file, String type) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("No key file at " + file);
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IOException(file + " holds no PEM block '" + begin + "'");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException x) {
            throw new IOException(file + ": the PEM block is not base64");
        }
    }

    private static String block(String type, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }
}
