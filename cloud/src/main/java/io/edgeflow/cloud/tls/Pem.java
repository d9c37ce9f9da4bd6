package io.edgeflow.cloud.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import io.edgeflow.cloud.FilePermissions;

/** Reading and writing certificates and private keys as PEM files. */
public final class Pem {
    private Pem() {
    }

    /**
     * @param file a PEM file with one or more certificates
     * @return the certificates, in file order
     * @throws IOException if the file cannot be read or holds no certificate
     */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object o; (o = parser.readObject()) != null;) {
                if (o instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (CertificateException e) {
            throw new IOException(file + ": not a valid certificate: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    /**
     * Reads an unencrypted private key: PKCS#8 ({@code BEGIN PRIVATE KEY}), or the traditional RSA or EC
     * forms.
     *
     * @param file the PEM file
     * @return the key
     * @throws IOException if the file cannot be read, is encrypted, or holds no key
     */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object o; (o = parser.readObject()) != null;) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IOException(file + " holds an encrypted private key; give the server an unencrypted"
                            + " key file readable only by its user (chmod 600)");
                }
            }
        }
        throw new IOException(file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    /**
     * @param certificates certificates
     * @return their PEM text
     * @throws IOException if one cannot be encoded
     */
    public static String certificates(List<X509Certificate> certificates) throws IOException {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate c : certificates) {
            try {
                pem.append(block("CERTIFICATE", c.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IOException("cannot encode certificate " + c.getSubjectX500Principal(), e);
            }
        }
        return pem.toString();
    }

    /**
     * Writes a private key as PKCS#8 PEM, mode 0600, atomically.
     *
     * @param key the key
     * @param file where
     * @throws IOException if it cannot be written
     */
    public static void writePrivateKey(PrivateKey key, Path file) throws IOException {
        byte[] der = key.getEncoded();
        try {
            FilePermissions.writeAtomically(file, block("PRIVATE KEY", der).getBytes(StandardCharsets.US_ASCII), true);
        } finally {
            java.util.Arrays.fill(der, (byte) 0);
        }
    }

    private static String block(String type, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }
}
