package io.edgeflow.cloud.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * The server's TLS identity, a certificate chain and its private key, as an in-memory key store for
 * Jetty.
 *
 * @param keyStore a PKCS#12 store holding the key under alias {@code server}
 * @param password the store's password, random per start
 * @param chain the certificate chain, server first
 */
public record ServerIdentity(KeyStore keyStore, String password, List<X509Certificate> chain) {

    /**
     * @param certificateChain PEM certificate chain, the server's first
     * @param privateKey PEM private key of the first certificate
     * @return the identity
     * @throws IOException if a file cannot be read
     * @throws GeneralSecurityException if the key does not fit the certificate's algorithm
     */
    public static ServerIdentity load(Path certificateChain, Path privateKey)
            throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = Pem.readCertificates(certificateChain);
        PrivateKey key = Pem.readPrivateKey(privateKey);
        if (!key.getAlgorithm().equals(chain.get(0).getPublicKey().getAlgorithm())
                && !("EC".equals(key.getAlgorithm()) && "ECDSA".equals(chain.get(0).getPublicKey().getAlgorithm()))) {
            throw new GeneralSecurityException("The key in " + privateKey + " (" + key.getAlgorithm()
                    + ") does not belong to the certificate in " + certificateChain + " ("
                    + chain.get(0).getPublicKey().getAlgorithm() + ")");
        }
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String password = Base64.getEncoder().encodeToString(secret);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", key, password.toCharArray(), chain.toArray(new X509Certificate[0]));
        return new ServerIdentity(store, password, chain);
    }

    /** How long before its end a certificate served gets a warning at start. */
    public static final java.time.Duration WARN_BEFORE = java.time.Duration.ofDays(30);

    /**
     * One line for the operator when a certificate of the chain served has expired, expires within
     * {@link #WARN_BEFORE}, or is not valid yet: agents refuse such a chain, or soon will.
     *
     * @param now the server's clock
     * @return the line for the certificate that ends first (or starts last), or empty when all is well
     */
    public java.util.Optional<String> validityWarning(java.time.Instant now) {
        X509Certificate first = null;
        for (X509Certificate c : chain) {
            if (first == null || c.getNotAfter().before(first.getNotAfter())) {
                first = c;
            }
        }
        for (X509Certificate c : chain) {
            if (c.getNotBefore().toInstant().isAfter(now)) {
                return java.util.Optional.of("WARNING: the TLS certificate " + subject(c) + " is not valid until "
                        + c.getNotBefore().toInstant() + " (this server's clock reads " + now.truncatedTo(
                                java.time.temporal.ChronoUnit.SECONDS) + "); agents refuse it until then");
            }
        }
        if (first == null) {
            return java.util.Optional.empty();
        }
        java.time.Instant end = first.getNotAfter().toInstant();
        if (end.isBefore(now)) {
            return java.util.Optional.of("WARNING: the TLS certificate " + subject(first) + " expired on " + end
                    + "; agents refuse it: renew it" + renewal(first));
        }
        if (end.isBefore(now.plus(WARN_BEFORE))) {
            long days = java.time.Duration.between(now, end).toDays();
            return java.util.Optional.of("WARNING: the TLS certificate " + subject(first) + " expires on " + end
                    + " (in " + (days == 0 ? "less than a day" : days + (days == 1 ? " day" : " days"))
                    + "); renew it before then" + renewal(first));
        }
        return java.util.Optional.empty();
    }

    private static String subject(X509Certificate c) {
        return "'" + c.getSubjectX500Principal().getName().replaceAll("\\p{Cntrl}", "?") + "'";
    }

    private static String renewal(X509Certificate c) {
        return c.getBasicConstraints() >= 0 ? " (it is the CA agents trust: they need the new ca.pem too)" : "";
    }
}
