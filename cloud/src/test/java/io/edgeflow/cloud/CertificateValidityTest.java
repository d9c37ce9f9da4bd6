package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.provisioning.CloudSettings;
import io.edgeflow.cloud.server.CloudServer;
import io.edgeflow.cloud.server.ServerConfig;
import io.edgeflow.cloud.tls.LocalCertificateAuthority;
import io.edgeflow.cloud.tls.Pem;

/**
 * The local CA's certificates start 48 hours before they are made, so a device whose clock is a little
 * behind trusts a freshly started cloud; a certificate served that has expired or expires within 30 days
 * gets one warning line at start.
 */
class CertificateValidityTest {
    private static final Instant T = Instant.parse("2026-12-03T10:00:00Z");

    @TempDir
    Path dir;

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    @Test
    void aNewCaAndServerCertificateAreValidFrom48HoursBeforeTheyWereMade() throws Exception {
        Path data = dir.resolve("data");
        java.nio.file.Files.createDirectories(data);
        LocalCertificateAuthority.ensure(data, at(T));
        X509Certificate ca = Pem.readCertificates(data.resolve("ca.pem")).get(0);
        X509Certificate leaf = Pem.readCertificates(data.resolve("server.pem")).get(0);
        assertThat(ca.getNotBefore()).isEqualTo(Date.from(T.minus(Duration.ofHours(48))));
        assertThat(leaf.getNotBefore()).isEqualTo(Date.from(T.minus(Duration.ofHours(48))));
        // a device two hours behind trusts the chain
        leaf.checkValidity(Date.from(T.minus(Duration.ofHours(2))));
        ca.checkValidity(Date.from(T.minus(Duration.ofHours(2))));
    }

    @Test
    void aServerCertificateRenewedInAnExistingDataDirectoryIsValidFrom48HoursBefore() throws Exception {
        Path data = dir.resolve("data");
        java.nio.file.Files.createDirectories(data);
        LocalCertificateAuthority.ensure(data, at(T));
        X509Certificate ca = Pem.readCertificates(data.resolve("ca.pem")).get(0);
        Instant later = T.plus(Duration.ofDays(380)); // less than 30 days left on the 397-day certificate
        LocalCertificateAuthority.Result renewed = LocalCertificateAuthority.ensure(data, at(later));
        assertThat(renewed.issuedServerCertificate()).isTrue();
        assertThat(renewed.createdCa()).isFalse();
        assertThat(Pem.readCertificates(data.resolve("ca.pem")).get(0)).isEqualTo(ca);
        assertThat(Pem.readCertificates(data.resolve("server.pem")).get(0).getNotBefore())
                .isEqualTo(Date.from(later.minus(Duration.ofHours(48))));
    }

    private String startOutput(Path certificate, Path key, Instant now) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ServerConfig config = new ServerConfig("127.0.0.1", 0, dir.resolve("data-" + now.toEpochMilli()), certificate,
                key, CloudSettings.DEFAULTS, false);
        try (CloudServer server = CloudServer.start(config, at(now), new PrintStream(printed, true,
                StandardCharsets.UTF_8))) {
            assertThat(server.port()).isPositive();
        }
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aCertificateThatExpiresWithin30DaysOrHasExpiredIsWarnedAboutAtStart() throws Exception {
        // an operator's certificate made elsewhere on T, valid for 397 days
        Path elsewhere = dir.resolve("elsewhere");
        java.nio.file.Files.createDirectories(elsewhere);
        LocalCertificateAuthority.ensure(elsewhere, at(T));
        Path cert = elsewhere.resolve("server.pem");
        Path key = elsewhere.resolve("server-key.pem");
        Instant end = Pem.readCertificates(cert).get(0).getNotAfter().toInstant();

        assertThat(startOutput(cert, key, T)).doesNotContain("WARNING");
        assertThat(startOutput(cert, key, end.minus(Duration.ofDays(17)).minusSeconds(60)).lines()
                .filter(l -> l.startsWith("WARNING")))
                .singleElement().asString().contains("expires on " + end).contains("in 17 days")
                .contains("CN=localhost");
        assertThat(startOutput(cert, key, end.plus(Duration.ofDays(3))).lines().filter(l -> l.startsWith("WARNING")))
                .singleElement().asString().contains("expired on " + end).contains("agents refuse it");
    }
}
