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
}
