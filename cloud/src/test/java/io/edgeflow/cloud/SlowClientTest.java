package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.TestCloud.Answer;
import io.edgeflow.cloud.TestCloud.RawAnswer;
import io.edgeflow.cloud.server.ConnectionLimits;

/**
 * Clients that send their bodies slowly or never finish them cost a connection, not a server thread; one
 * address cannot hold more connections than its share; none of it logs more than a line.
 */
class SlowClientTest {
    private static final String SLOW_HEAD = "POST /api/v1/devices/register HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{\"provisioning_code\": \"PROV-";

    @TempDir
    Path dir;

    /** Sends a request head and the first bytes of a 10,000-byte body, then nothing more. */
    private static SSLSocket startSlowUpload(TestCloud cloud, String from) throws Exception {
        SSLSocket socket = cloud.openRaw(from);
        OutputStream out = socket.getOutputStream();
        out.write(SLOW_HEAD.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    @Test
    void manyStalledUploadsLeaveHealthRegistrationAndNewHandshakesAnswered() throws Exception {
        // more stalled uploads than the server has threads (64): with blocking reads every thread waited in one
        try (TestCloud cloud = new TestCloud(dir.resolve("data")); LogCapture log = new LogCapture()) {
            String code = cloud.createCode();
            List<SSLSocket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 160; i++) {
                    // each one's TLS handshake too: with every thread waiting in a body, handshakes waited as well
                    SSLSocket socket = cloud.openRaw("127.0.0." + (2 + i % 2), 10_000);
                    slow.add(socket);
                    socket.getOutputStream().write(SLOW_HEAD.getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                }
                // a client of its own: a new connection, a new TLS handshake
                HttpClient fresh = HttpClient.newBuilder().sslContext(cloud.tls).version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(20)).build();
                HttpResponse<String> health = fresh.send(HttpRequest.newBuilder(URI.create(cloud.url()
                        + "/api/v1/health")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                HttpResponse<String> registered = fresh.send(HttpRequest.newBuilder(URI.create(cloud.url()
                        + "/api/v1/devices/register")).timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(TestCloud.JSON.writeValueAsBytes(
                                TestCloud.registration(code, UUID.randomUUID().toString()))))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
            } finally {
                for (SSLSocket s : slow) {
                    s.close();
                }
            }
            assertThat(log.linesWith("ERROR")).isEmpty();
            assertThat(log.hasStackTrace()).isFalse();
        }
    }

    @Test
    void aStalledBodyIsAnswered408AndClosedAfterTheBodyTimeoutWithOneWarnLine() throws Exception {
        ConnectionLimits limits = ConnectionLimits.DEFAULTS.withBodyTimeout(Duration.ofSeconds(1));
        try (TestCloud cloud = new TestCloud(dir.resolve("data"), limits); LogCapture log = new LogCapture()) {
            for (int i = 0; i < 3; i++) {
                try (SSLSocket socket = startSlowUpload(cloud, "127.0.0.6")) {
                    InputStream in = socket.getInputStream();
                    RawAnswer a = TestCloud.readAnswer(in);
                    assertThat(a.status()).as(a.headers()).isEqualTo(408);
                    assertThat(a.error()).isEqualTo("request_timeout");
                    assertThat(a.headers()).containsIgnoringCase("connection: close");
                    assertThat(in.read()).as("the connection is closed").isEqualTo(-1);
                }
            }
            // three stalls, one line (the rest are counted into the next line of the kind)
            assertThat(log.linesWith("slow-body")).hasSize(1).allSatisfy(l -> assertThat(l).contains("WARN")
                    .contains("POST /api/v1/devices/register from 127.0.0.6").doesNotContain("PROV-"));
            assertThat(log.hasStackTrace()).isFalse();
            assertThat(log.linesWith("ERROR")).isEmpty();
            assertThat(cloud.call("GET", "/api/v1/health", null, null).status()).isEqualTo(200);
            // no code was seen: a stall is a log line, not an audit event (a flood would fill the database)
            assertThat(cloud.admin("GET", "/api/v1/admin/audit", null).body().path("events").findValuesAsText("event"))
                    .doesNotContain("registration");
        }
    }

    @Test
    void aStalledBodyForADeviceIsAnswered408Too() throws Exception {
        ConnectionLimits limits = ConnectionLimits.DEFAULTS.withBodyTimeout(Duration.ofSeconds(1));
        try (TestCloud cloud = new TestCloud(dir.resolve("data"), limits); LogCapture log = new LogCapture()) {
            String device = cloud.provisionDevice().text("device_id");
            try (SSLSocket socket = cloud.openRaw("127.0.0.11")) {
                socket.getOutputStream().write(("PUT /api/v1/admin/devices/" + device + "/local/api/v1/saas/settings"
                        + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + cloud.adminToken
                        + "\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"saas_url\": ")
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                RawAnswer a = TestCloud.readAnswer(socket.getInputStream());
                assertThat(a.status()).as(a.headers()).isEqualTo(408);
                assertThat(a.error()).isEqualTo("request_timeout");
            }
            assertThat(log.linesWith("slow-body")).hasSize(1);
            assertThat(log.linesWith("ERROR")).isEmpty();
            assertThat(log.hasStackTrace()).isFalse();
        }
    }

    @Test
    void aRequestHeadSentAByteAtATimeIsClosedAfterTheIdleTimeout() throws Exception {
        // each byte resets Jetty's idle timeout; only a deadline for the whole head ends it
        ConnectionLimits limits = new ConnectionLimits(Duration.ofSeconds(10), Duration.ofSeconds(2), 256, 100);
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (TestCloud cloud = new TestCloud(dir.resolve("data"), limits); LogCapture log = new LogCapture();
                SSLSocket socket = cloud.openRaw("127.0.0.12", 20_000)) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            trickle.scheduleAtFixedRate(() -> {
                try {
                    out.write('a');
                    out.flush();
                } catch (IOException closed) {
                    throw new IllegalStateException(closed); // ends the schedule
                }
            }, 200, 200, TimeUnit.MILLISECONDS);
            int read;
            try {
                read = socket.getInputStream().read();
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("the server kept a trickling request head open for 20 s", e);
            } catch (IOException reset) {
                read = -1; // closed while we wrote: as good as an end of stream
            }
            assertThat(read).as("the server closes the connection").isEqualTo(-1);
            assertThat(log.linesWith("slow-head")).hasSize(1).allSatisfy(l -> assertThat(l).contains("WARN")
                    .contains("127.0.0.12"));
            assertThat(log.hasStackTrace()).isFalse();
        } finally {
            trickle.shutdownNow();
        }
    }

    @Test
    void oneAddressGetsNoMoreThanItsConnectionsWhileOthersStillConnect() throws Exception {
        ConnectionLimits limits = ConnectionLimits.DEFAULTS.withPerAddress(2, 0);
        try (TestCloud cloud = new TestCloud(dir.resolve("data"), limits); LogCapture log = new LogCapture();
                SSLSocket one = startSlowUpload(cloud, "127.0.0.7");
                SSLSocket two = startSlowUpload(cloud, "127.0.0.7")) {
            assertThatThrownBy(() -> cloud.openRaw("127.0.0.7").close()).isInstanceOf(IOException.class);
            try (SSLSocket other = cloud.openRaw("127.0.0.8")) {
                assertThat(other.getSession().isValid()).isTrue();
            }
            assertThat(log.linesWith("too-many-connections")).hasSize(1).allSatisfy(l -> assertThat(l)
                    .contains("WARN").contains("127.0.0.7").contains("--max-connections-per-address"));
            assertThat(log.hasStackTrace()).isFalse();
        }
    }

    @Test
    void tunnelsDoNotCountAgainstTheLimitOfTheirAddress() throws Exception {
        ConnectionLimits limits = ConnectionLimits.DEFAULTS.withPerAddress(2, 0);
        try (TestCloud cloud = new TestCloud(dir.resolve("data"), limits)) {
            List<SimulatedDevice> devices = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    Answer d = cloud.provisionDevice();
                    SimulatedDevice device = SimulatedDevice.connect(cloud, d.text("device_id"), d.text("api_key"));
                    devices.add(device);
                    device.next("hello");
                }
                assertThat(cloud.call("GET", "/api/v1/health", null, null).status()).isEqualTo(200);
            } finally {
                devices.forEach(SimulatedDevice::close);
            }
        }
    }

    @Test
    void anAddressOpeningConnectionsTooFastIsSlowedDown() throws Exception {
        // 1 a second with bursts of 2; 20 connections at once: the server sees them within far less than a second
        ConnectionLimits limits = ConnectionLimits.DEFAULTS.withPerAddress(0, 1);
        try (TestCloud cloud = new TestCloud(dir.resolve("data"), limits); LogCapture log = new LogCapture()) {
            ExecutorService pool = Executors.newFixedThreadPool(20);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> attempts = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    attempts.add(pool.submit(() -> {
                        go.await();
                        try (SSLSocket s = cloud.openRaw("127.0.0.9")) {
                            return true;
                        } catch (IOException e) {
                            return false;
                        }
                    }));
                }
                go.countDown();
                int accepted = 0;
                for (Future<Boolean> f : attempts) {
                    accepted += f.get() ? 1 : 0;
                }
                assertThat(accepted).isBetween(2, 19);
            } finally {
                pool.shutdownNow();
            }
            cloud.openRaw("127.0.0.10").close();
            assertThat(log.linesWith("connection-rate")).hasSize(1).allSatisfy(l -> assertThat(l).contains("WARN")
                    .contains("127.0.0.9"));
            assertThat(log.hasStackTrace()).isFalse();
        }
    }
}
