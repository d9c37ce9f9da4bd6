package io.edgeflow.endpoint.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;

import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import io.edgeflow.api.cloud.CertificateClockException;

/**
 * The TLS trust of every connection to the cloud: the JDK's trusted CAs, plus the CAs of an optional CA
 * file. Certificates are always verified, and so is the host name (the JDK's own trust managers do both,
 * given the {@link SSLEngine} of the connection, on which {@code HttpClient} sets the HTTPS endpoint
 * identification). There is no way to trust everything.
 * <p>
 * Devices without a real-time clock boot in 1970, when every certificate looks "not yet valid". Where the
 * local clock reads earlier than {@link #CLOCK_FLOOR} (a date this agent was built after, so a clock
 * reading earlier is certainly wrong), the chain is verified as of the latest {@code notBefore} in it
 * instead of "now": signatures, trust anchors, host name and the consistency of the validity periods are
 * still checked; what cannot be checked without a clock (expiry) is checked as of that date. From the floor
 * on, validity is checked as of the local clock (the {@link Clock} given), and a chain refused only because
 * a certificate is not valid yet or has expired by that clock fails with a {@link ClockException} that says
 * so and by how much.
 */
public final class CloudTrust {
    /** No real clock reads earlier than this: the agent was built after it. */
    static final Instant CLOCK_FLOOR = Instant.parse("2026-01-01T00:00:00Z");

    private CloudTrust() {
    }

    /**
     * Reads the certificates of a PEM (or DER) CA file.
     *
     * @param file the file
     * @return its certificates, at least one
     * @throws IllegalArgumentException with a message naming the file and the problem
     */
    public static List<X509Certificate> readCaFile(Path file) {
        Collection<? extends java.security.cert.Certificate> certificates;
        try (InputStream in = Files.newInputStream(file)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("the CA file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("the CA file " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        } catch (CertificateException e) {
            throw new IllegalArgumentException("the CA file " + file + " holds no readable certificate (PEM or DER)");
        }
        List<X509Certificate> out = new ArrayList<>();
        for (java.security.cert.Certificate c : certificates) {
            if (c instanceof X509Certificate x) {
                out.add(x);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the CA file " + file + " holds no certificate");
        }
        return List.copyOf(out);
    }

    /**
     * @param extraCas CAs trusted beside the JDK's, may be empty
     * @param clock the local clock, only to tell whether it can be right
     * @return a TLS context with that trust
     * @throws GeneralSecurityException if the JDK's TLS support fails
     */
    static SSLContext sslContext(List<X509Certificate> extraCas, Clock clock) throws GeneralSecurityException {
        return sslContext(extraCas, clock, null);
    }

    /**
     * @param extraCas CAs trusted beside the JDK's, may be empty
     * @param clock the local clock
     * @param cloudIp null to verify the host name the connection was opened to (the usual case); else the
     *        cloud's IP literal, which the certificate must name (an iPAddress subject alternative name)
     *        whatever the connection's own address: for connections through a {@link ProxyRelay} that the
     *        client takes for the cloud
     * @return a TLS context with that trust
     * @throws GeneralSecurityException if the JDK's TLS support fails
     */
    static SSLContext sslContext(List<X509Certificate> extraCas, Clock clock, String cloudIp)
            throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new CloudTrustManager(extraCas, clock, cloudIp)}, null);
        return context;
    }

    /** The JDK's trust, then the CA file's; a chain is trusted if either trusts it. */
    static final class CloudTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager jdk;
        private final X509ExtendedTrustManager extra;
        private final KeyStore extraAnchors;
        private final Clock clock;
        /** The address the cloud's certificate must name, when the connection's own address is not it. */
        private final java.net.InetAddress cloudIp;
        /** The JDK's CAs as a key store, made at the first check. */
        private KeyStore jdkAnchors;

        CloudTrustManager(List<X509Certificate> extraCas, Clock clock, String cloudIp) throws GeneralSecurityException {
            this.clock = clock;
            this.cloudIp = cloudIp == null ? null : ipLiteral(cloudIp);
            this.jdk = pkix(null);
            this.extraAnchors = extraCas.isEmpty() ? null : keyStore(extraCas);
            this.extra = extraAnchors == null ? null : pkix(extraAnchors);
        }

        private synchronized KeyStore jdkAnchors() throws GeneralSecurityException {
            if (jdkAnchors == null) {
                jdkAnchors = keyStore(Arrays.asList(jdk.getAcceptedIssuers()));
            }
            return jdkAnchors;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain, cloudIp != null ? tm -> checkForCloudIp(tm, chain, authType)
                    : tm -> tm.checkServerTrusted(chain, authType, engine));
        }

        /** The chain without the connection's host name (it is the relay's), then the cloud's address. */
        private void checkForCloudIp(X509ExtendedTrustManager tm, X509Certificate[] chain, String authType)
                throws CertificateException {
            tm.checkServerTrusted(chain, authType);
            if (!namesAddress(chain[0], cloudIp)) {
                throw new CertificateException("the cloud's certificate does not name the address "
                        + cloudIp.getHostAddress() + " (no matching IP address among its subject alternative names)");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain, cloudIp != null ? tm -> checkForCloudIp(tm, chain, authType)
                    : tm -> tm.checkServerTrusted(chain, authType, socket));
        }

        /** One check of the chain by one trust manager (with the connection's host name). */
        private interface Check {
            void by(X509ExtendedTrustManager tm) throws CertificateException;
        }

        private void check(X509Certificate[] chain, Check check) throws CertificateException {
            Instant now = clock.instant();
            CertificateException failure = null;
            for (X509ExtendedTrustManager tm : managers(chain, now)) {
                try {
                    check.by(tm);
                    return;
                } catch (CertificateException e) {
                    failure = pick(failure, e);
                }
            }
            throw clockProblem(chain, now, check).<CertificateException>map(e -> e).orElse(failure);
        }

        /**
         * When the chain is refused only because of the local clock (a certificate not valid yet, or expired,
         * by it, while the chain verifies at a moment within every certificate's validity), a failure that
         * says so, with how far the clock is off at least; otherwise empty, and the refusal stands as it is.
         */
        private java.util.Optional<ClockException> clockProblem(X509Certificate[] chain, Instant now, Check check) {
            if (chain == null || chain.length == 0 || now.isBefore(CLOCK_FLOOR)) {
                return java.util.Optional.empty(); // a clock before the floor never checks validity against now
            }
            Instant latestStart = null;
            Instant earliestEnd = null;
            for (X509Certificate c : chain) {
                Instant start = c.getNotBefore().toInstant();
                Instant end = c.getNotAfter().toInstant();
                latestStart = latestStart == null || start.isAfter(latestStart) ? start : latestStart;
                earliestEnd = earliestEnd == null || end.isBefore(earliestEnd) ? end : earliestEnd;
            }
            boolean notYetValid = now.isBefore(latestStart);
            if (!notYetValid && !now.isAfter(earliestEnd) || latestStart.isAfter(earliestEnd)) {
                return java.util.Optional.empty();
            }
            Date at = Date.from(notYetValid ? latestStart : earliestEnd);
            try {
                List<X509ExtendedTrustManager> atThatDate = new ArrayList<>(2);
                atThatDate.add(pkixAt(jdkAnchors(), at));
                if (extraAnchors != null) {
                    atThatDate.add(pkixAt(extraAnchors, at));
                }
                for (X509ExtendedTrustManager tm : atThatDate) {
                    try {
                        check.by(tm);
                        return java.util.Optional.of(notYetValid ? ClockException.notYetValid(latestStart, now)
                                : ClockException.expired(earliestEnd, now));
                    } catch (CertificateException e) {
                        // not trusted at that date either: not a matter of the clock
                    }
                }
            } catch (GeneralSecurityException e) {
                // cannot tell: the refusal stands
            }
            return java.util.Optional.empty();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            // Without a connection there is no host name to verify: refuse rather than skip that check.
            throw new CertificateException("the cloud's certificate is only checked together with its host name");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("the agent does not accept TLS clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("the agent does not accept TLS clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the agent does not accept TLS clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            List<X509Certificate> all = new ArrayList<>(Arrays.asList(jdk.getAcceptedIssuers()));
            if (extra != null) {
                all.addAll(Arrays.asList(extra.getAcceptedIssuers()));
            }
            return all.toArray(new X509Certificate[0]);
        }

        /** A failure from the CA file's trust says more than "unknown CA" from the JDK's. */
        private CertificateException pick(CertificateException first, CertificateException next) {
            return first == null ? next : extra != null ? next : first;
        }

        private List<X509ExtendedTrustManager> managers(X509Certificate[] chain, Instant now)
                throws CertificateException {
            // validity is checked as of the clock this trust was given (the JDK's own managers would read the
            // system clock); before the floor, as of the chain's latest notBefore
            Date at = now.isBefore(CLOCK_FLOOR) ? validationDate(chain) : Date.from(now);
            try {
                List<X509ExtendedTrustManager> managers = new ArrayList<>(2);
                managers.add(pkixAt(jdkAnchors(), at));
                if (extraAnchors != null) {
                    managers.add(pkixAt(extraAnchors, at));
                }
                return managers;
            } catch (GeneralSecurityException e) {
                throw new CertificateException("cannot verify the cloud's certificate: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The cloud's certificate is refused only because of the local clock: it is not valid yet, or has
     * expired, by this clock, and the chain verifies otherwise. The message names the clock and how far off
     * it is at least.
     */
    static final class ClockException extends CertificateClockException {
        private static final long serialVersionUID = 1L;

        private ClockException(String message) {
            super(message);
        }

        static ClockException notYetValid(Instant start, Instant now) {
            return new ClockException("the cloud's certificate is not valid yet by this device's clock: it is valid "
                    + "from " + start + ", the device's clock reads " + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + ", at least " + span(Duration.between(now, start)) + " behind; set the device's clock (NTP), "
                    + "or check the cloud's clock if the certificate was just made");
        }

        static ClockException expired(Instant end, Instant now) {
            return new ClockException("the cloud's certificate has expired by this device's clock: it was valid "
                    + "until " + end + ", the device's clock reads " + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + ", " + span(Duration.between(end, now)) + " later; if the device's clock is ahead, set it (NTP), "
                    + "else the cloud needs a new certificate");
        }

        /** {@code 2 h 5 min}, {@code 3 d 4 h}, {@code 42 s}: a person reads it, to the unit that matters. */
        static String span(Duration d) {
            long s = Math.max(1, d.getSeconds());
            if (s < 120) {
                return s + " s";
            }
            if (s < 2 * 3600) {
                return s / 60 + " min";
            }
            if (s < 2 * 86400) {
                return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
            }
            return s / 86400 + " d" + (s % 86400 / 3600 == 0 ? "" : " " + s % 86400 / 3600 + " h");
        }
    }

    /** RFC 2818: an IP address matches only an iPAddress subject alternative name, exactly. */
    static boolean namesAddress(X509Certificate certificate, java.net.InetAddress address)
            throws CertificateException {
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        if (names == null) {
            return false;
        }
        for (List<?> name : names) {
            if (name.size() >= 2 && Integer.valueOf(7).equals(name.get(0)) && name.get(1) instanceof String text) {
                try {
                    if (ipLiteral(text).equals(address)) {
                        return true;
                    }
                } catch (IllegalArgumentException e) {
                    // not an address: no match
                }
            }
        }
        return false;
    }

    /** An IP literal as an address, never looked up in DNS. */
    static java.net.InetAddress ipLiteral(String text) {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (!t.matches("[0-9a-fA-F:.]+") || t.indexOf(':') < 0 && !t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("not an IP literal: " + text);
        }
        try {
            return java.net.InetAddress.getByName(t);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + text);
        }
    }

    /** The latest notBefore of the chain: the earliest moment at which every certificate in it is valid. */
    static Date validationDate(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the cloud sent no certificate");
        }
        Date latest = chain[0].getNotBefore();
        for (X509Certificate c : chain) {
            if (c.getNotBefore().after(latest)) {
                latest = c.getNotBefore();
            }
        }
        Date atLeast = Date.from(CLOCK_FLOOR);
        return latest.after(atLeast) ? latest : atLeast;
    }

    private static X509ExtendedTrustManager pkix(KeyStore anchors) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(anchors);
        return extended(factory);
    }

    private static X509ExtendedTrustManager pkixAt(KeyStore anchors, Date date) throws GeneralSecurityException {
        PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, new X509CertSelector());
        parameters.setRevocationEnabled(false);
        parameters.setDate(date);
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(new CertPathTrustManagerParameters(parameters));
        return extended(factory);
    }

    private static X509ExtendedTrustManager extended(TrustManagerFactory factory) throws GeneralSecurityException {
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
            if (tm instanceof X509TrustManager) {
                throw new GeneralSecurityException("the JDK's trust manager cannot verify host names");
            }
        }
        throw new GeneralSecurityException("the JDK has no X.509 trust manager");
    }

    private static KeyStore keyStore(List<X509Certificate> certificates) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot create an in-memory key store", e);
        }
        int i = 0;
        for (X509Certificate c : certificates) {
            store.setCertificateEntry("ca-" + i++, c);
        }
        return store;
    }
}
