package io.edgeflow.cloud.nodes;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a node trusts the others: every node serves the same certificate (the shared name the devices and the
 * load balancer use), so a node accepts exactly the certificate it serves itself, whatever the address it
 * dialled (a node's own address is rarely in that certificate). Nothing else is trusted: the shared secret is
 * never sent to a server that does not hold the cloud's private key.
 */
final class PinnedTrust extends X509ExtendedTrustManager {
    private final X509Certificate own;

    PinnedTrust(X509Certificate own) {
        this.own = own;
    }

    /** @return a TLS context trusting only {@code own} */
    static SSLContext context(X509Certificate own) throws GeneralSecurityException {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new PinnedTrust(own)}, new SecureRandom());
        return tls;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0 || !Arrays.equals(chain[0].getEncoded(), own.getEncoded())) {
            throw new CertificateException("the node does not serve this cloud's certificate (every node must serve "
                    + "the same --cert)");
        }
        // no validity check of its own: it is this node's certificate, whose expiry the operator is warned of
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a node's client does not accept clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a node's client does not accept clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a node's client does not accept clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
