package io.edgeflow.cloud.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.edgeflow.cloud.FilePermissions;

/**
 * The cloud's own small certificate authority, for a server started without a certificate of the
 * operator's: on first start it creates a CA ({@code ca.pem}, key in {@code ca-key.pem}, 0600) and a
 * server certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1} signed by it
 * ({@code server.pem}, key in {@code server-key.pem}, 0600). Agents trust {@code ca.pem} through
 * {@code EDGEFLOW_SAAS_CA_FILE}. Later starts reuse both, and issue a new server certificate from the
 * same CA when the old one has less than 30 days left, so agents keep trusting the server. Both
 * certificates are valid from {@link #BACKDATE} before they are made, for devices whose clock is behind.
 * <p>
 * Keys are ECDSA P-256: small, and fast to handshake with.
 */
public final class LocalCertificateAuthority {
    /** The CA certificate agents trust. */
    public static final String CA_CERT = "ca.pem";
    /** The CA's private key. */
    public static final String CA_KEY = "ca-key.pem";
    /** The server's certificate chain (server, then CA). */
    public static final String SERVER_CERT = "server.pem";
    /** The server's private key. */
    public static final String SERVER_KEY = "server-key.pem";

    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration SERVER_VALIDITY = Duration.ofDays(397);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);
    /**
     * How long before its making a certificate is valid: a device whose clock is behind by up to this much
     * (ordinary drift, a board without a real-time clock that kept yesterday's time) still trusts it.
     */
    public static final Duration BACKDATE = Duration.ofHours(48);

    /**
     * What {@link #ensure} found or made.
     *
     * @param caCertificate the CA certificate file
     * @param serverChain the server's certificate chain file
     * @param serverKey the server's key file
     * @param createdCa true if the CA was created now
     * @param issuedServerCertificate true if a server certificate was issued now
     */
    public record Result(Path caCertificate, Path serverChain, Path serverKey, boolean createdCa,
            boolean issuedServerCertificate) {
    }

    private LocalCertificateAuthority() {
    }

    /**
     * Makes sure the data directory holds a CA and a current server certificate.
     *
     * @param dataDir the data directory
     * @param clock the clock
     * @return the files
     * @throws IOException if a file cannot be read or written
     * @throws GeneralSecurityException if a key or certificate cannot be made
     */
    public static Result ensure(Path dataDir, Clock clock) throws IOException, GeneralSecurityException {
        Path caCert = dataDir.resolve(CA_CERT);
        Path caKey = dataDir.resolve(CA_KEY);
        Path serverCert = dataDir.resolve(SERVER_CERT);
        Path serverKey = dataDir.resolve(SERVER_KEY);
        SecureRandom random = new SecureRandom();
        Instant now = clock.instant();

        boolean createdCa = false;
        X509Certificate ca;
        PrivateKey caPrivate;
        if (Files.exists(caCert) && Files.exists(caKey)) {
            ca = Pem.readCertificates(caCert).get(0);
            caPrivate = Pem.readPrivateKey(caKey);
        } else {
            KeyPair pair = ecKeyPair(random);
            X500Name name = new X500Name("CN=EdgeFlow local CA " + Long.toHexString(random.nextLong() >>> 16)
                    + ",O=EdgeFlow reference cloud");
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(random),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), name,
                    pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            addExtension(builder, Extension.basicConstraints, true, new BasicConstraints(0));
            addExtension(builder, Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            addExtension(builder, Extension.subjectKeyIdentifier, false,
                    ext.createSubjectKeyIdentifier(pair.getPublic()));
            ca = sign(builder, pair.getPrivate());
            caPrivate = pair.getPrivate();
            Pem.writePrivateKey(caPrivate, caKey);
            FilePermissions.writeAtomically(caCert, Pem.certificates(List.of(ca)).getBytes(StandardCharsets.US_ASCII),
                    false);
            createdCa = true;
        }

        boolean issue = createdCa || !Files.exists(serverCert) || !Files.exists(serverKey);
        if (!issue) {
            List<X509Certificate> chain = Pem.readCertificates(serverCert);
            X509Certificate leaf = chain.get(0);
            issue = leaf.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))
                    || !leaf.getIssuerX500Principal().equals(ca.getSubjectX500Principal())
                    || !verifies(leaf, ca.getPublicKey());
        }
        if (issue) {
            KeyPair pair = ecKeyPair(random);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, serial(random),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(SERVER_VALIDITY)),
                    new X500Name("CN=localhost,O=EdgeFlow reference cloud"), pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            addExtension(builder, Extension.basicConstraints, true, new BasicConstraints(false));
            addExtension(builder, Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            addExtension(builder, Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            addExtension(builder, Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")}));
            addExtension(builder, Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            addExtension(builder, Extension.subjectKeyIdentifier, false,
                    ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate leaf = sign(builder, caPrivate);
            Pem.writePrivateKey(pair.getPrivate(), serverKey);
            FilePermissions.writeAtomically(serverCert,
                    Pem.certificates(List.of(leaf, ca)).getBytes(StandardCharsets.US_ASCII), false);
        }
        return new Result(caCert, serverCert, serverKey, createdCa, issue);
    }

    private static boolean verifies(X509Certificate certificate, PublicKey issuerKey) {
        try {
            certificate.verify(issuerKey);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static KeyPair ecKeyPair(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    private static void addExtension(X509v3CertificateBuilder builder, org.bouncycastle.asn1.ASN1ObjectIdentifier oid,
            boolean critical, org.bouncycastle.asn1.ASN1Encodable value) throws GeneralSecurityException {
        try {
            builder.addExtension(oid, critical, value);
        } catch (CertIOException e) {
            throw new GeneralSecurityException("cannot add certificate extension " + oid, e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign certificate", e);
        }
    }
}
