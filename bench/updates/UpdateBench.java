import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

/**
 * A rollout of one artifact to many simulated devices on one packaged cloud (bench/updates/run.sh). Each device
 * holds a tunnel (the JDK's WebSocket, as the agent), answers the deployment request with 202, downloads the
 * artifact with its key, checks its SHA-256 and reports verifying, applying, checking, succeeded over HTTPS (its
 * own apply takes no time: this measures the cloud). First one device alone, then all of them in waves.
 */
public final class UpdateBench {
    static String url;
    static String token;
    static long serverPid;
    static HttpClient admin;
    static final List<HttpClient> deviceClients = new ArrayList<>();
    static final ExecutorService work = Executors.newFixedThreadPool(32);
    static final AtomicInteger downloadFailures = new AtomicInteger();
    static final AtomicInteger reportFailures = new AtomicInteger();
    static String expectedSha;

    record Credentials(String id, String key) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        url = o.get("url");
        token = Files.readString(Path.of(o.get("token-file"))).trim();
        serverPid = Long.parseLong(o.get("server-pid"));
        int count = Integer.parseInt(o.getOrDefault("devices", "1000"));
        int size = Integer.parseInt(o.getOrDefault("size", "102400"));
        String waves = o.getOrDefault("waves", "[1, \"10%\", \"100%\"]");
        SSLContext tls = BenchKit.tls(BenchKit.trustManagers(Path.of(o.get("ca-file"))));
        admin = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 8; i++) {
            deviceClients.add(HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(30)).build());
        }

        long t0 = System.nanoTime();
        List<Credentials> devices = provision(count);
        log("provisioned %d devices in %.1f s", count, (System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();
        List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            Credentials c = devices.get(i);
            opening.add(deviceClients.get(i % deviceClients.size()).newWebSocketBuilder()
                    .header("Authorization", "Bearer " + c.key()).header("X-EdgeFlow-Device-Id", c.id())
                    .subprotocols("edgeflow.tunnel.v1").connectTimeout(Duration.ofSeconds(60))
                    .buildAsync(URI.create(url.replace("https://", "wss://") + "/api/v1/tunnel"), new Device(c, i)));
            if (i % 50 == 49) {
                CompletableFuture.allOf(opening.toArray(new CompletableFuture[0])).join();
            }
        }
        CompletableFuture.allOf(opening.toArray(new CompletableFuture[0])).join();
        log("%d tunnels open in %.1f s", devices.size(), (System.nanoTime() - t0) / 1e9);

        byte[] jar = jar(size);
        expectedSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(jar));
        String artifact = send("POST", "/api/v1/admin/artifacts", jar, "application/java-archive", 201);
        String sha = field(artifact, "sha256");
        send("POST", "/api/v1/admin/artifacts/" + sha + "/signatures", "{\"release_key\": true}".getBytes(),
                "application/json", 201);

        // one device alone: deployment created -> succeeded
        long[] one = rollout("{\"operations\": [{\"action\": \"update\", \"artifact\": \"" + sha
                + "\"}], \"devices\": [\"" + devices.get(0).id() + "\"]}");
        println("RESULT phase=one devices=1 size=%d ms=%d", jar.length, one[0]);

        long cpu0 = BenchKit.cpuTicks(serverPid);
        long[] all = rollout("{\"operations\": [{\"action\": \"update\", \"artifact\": \"" + sha
                + "\"}], \"devices\": \"all\", \"waves\": " + waves + "}");
        long cpu1 = BenchKit.cpuTicks(serverPid);
        String state = field(send("GET", "/api/v1/admin/deployments?limit=1", null, null, 200), "state");
        long rss = 0;
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + serverPid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", ""));
            }
            if (line.startsWith("VmHWM:")) {
                hwm = Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        println("RESULT phase=all devices=%d size=%d ms=%d state=%s succeeded=%d server_cpu_ms=%d rss_kib=%d hwm_kib=%d"
                + " download_failures=%d report_failures=%d waves=%s", count, jar.length, all[0], state, all[1],
                (cpu1 - cpu0) * 10, rss, hwm, downloadFailures.get(), reportFailures.get(), waves.replace(" ", ""));
        work.shutdownNow();
        System.exit(0);
    }

    /** Creates a deployment and waits until it is no longer running; returns {ms, succeeded}. */
    static long[] rollout(String body) throws Exception {
        long start = System.nanoTime();
        String id = field(send("POST", "/api/v1/admin/deployments", body.getBytes(), "application/json", 201), "id");
        long end = start + Duration.ofMinutes(20).toNanos();
        while (System.nanoTime() < end) {
            String d = send("GET", "/api/v1/admin/deployments/" + id, null, null, 200);
            String state = field(d, "state");
            if (!state.equals("running")) {
                long ms = (System.nanoTime() - start) / 1_000_000;
                Matcher m = Pattern.compile("\"succeeded\"\\s*:\\s*(\\d+)").matcher(d);
                log("%s %s in %d ms", id, state, ms);
                return new long[] {ms, m.find() ? Long.parseLong(m.group(1)) : 0};
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(id + " did not end within 20 minutes");
    }

    /** A simulated device: its tunnel answers the deployment request, then it downloads and reports. */
    static final class Device implements WebSocket.Listener {
        final Credentials c;
        final HttpClient http;
        final StringBuilder partial = new StringBuilder();

        Device(Credentials c, int i) {
            this.c = c;
            this.http = deviceClients.get(i % deviceClients.size());
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (frame.contains("\"type\":\"request\"") && frame.contains("/api/v1/deployments")) {
                    String rid = field(frame, "id");
                    String body = new String(Base64.getDecoder().decode(field(frame, "body")), StandardCharsets.UTF_8);
                    String dep = field(body, "id");
                    String answer = "{\"id\": \"" + dep + "\", \"state\": \"downloading\"}";
                    ws.sendText("{\"type\":\"response\",\"id\":\"" + rid + "\",\"status\":202,\"headers\":"
                            + "{\"content-type\":\"application/json\"},\"body\":\""
                            + Base64.getEncoder().encodeToString(answer.getBytes()) + "\"}", true);
                    String sha = field(body, "sha256");
                    work.execute(() -> apply(dep, sha));
                }
            }
            ws.request(1);
            return null;
        }

        void apply(String dep, String sha) {
            try {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/devices/" + c.id()
                        + "/artifacts/" + sha)).header("Authorization", "Bearer " + c.key()).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                String got = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(r.body()));
                if (r.statusCode() != 200 || !got.equals(sha)) {
                    downloadFailures.incrementAndGet();
                    report(dep, "failed");
                    return;
                }
                for (String s : List.of("verifying", "applying", "checking", "succeeded")) {
                    report(dep, s);
                }
            } catch (Exception e) {
                downloadFailures.incrementAndGet();
            }
        }

        void report(String dep, String state) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/devices/" + c.id()
                    + "/deployments/" + dep + "/status")).header("Authorization", "Bearer " + c.key())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"state\": \"" + state + "\", \"reason\": null, \"failed\": null}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 204) {
                reportFailures.incrementAndGet();
            }
        }
    }

    static byte[] jar(int size) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        m.getMainAttributes().putValue("Bundle-SymbolicName", "io.edgeflow.bench.payload");
        m.getMainAttributes().putValue("Bundle-Version", "1.0.0");
        var out = new java.io.ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new JarEntry("payload.bin"));
            byte[] b = new byte[size];
            new java.util.Random(1).nextBytes(b);
            j.write(b);
        }
        return out.toByteArray();
    }

    static List<Credentials> provision(int count) throws Exception {
        Credentials[] result = new Credentials[count];
        AtomicInteger next = new AtomicInteger();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int w = 0; w < 8; w++) { // fewer than --max-failed-attempts (10): the guard reserves one per attempt in flight
            all.add(CompletableFuture.runAsync(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    try {
                        String code = field(send("POST", "/api/v1/admin/provisioning-codes", "{}".getBytes(),
                                "application/json", 201), "code");
                        String registered = send("POST", "/api/v1/devices/register", ("{\"provisioning_code\":\""
                                + code + "\",\"request_id\":\"" + UUID.randomUUID() + "\"}").getBytes(),
                                "application/json", 201, null);
                        Credentials c = new Credentials(field(registered, "device_id"), field(registered, "api_key"));
                        send("POST", "/api/v1/devices/" + c.id() + "/confirm", null, null, 200, c.key());
                        result[i] = c;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, work));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
        return List.of(result);
    }

    static String send(String method, String path, byte[] body, String type, int expected) throws Exception {
        return send(method, path, body, type, expected, token);
    }

    static String send(String method, String path, byte[] body, String type, int expected, String bearer)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(120));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (type != null) {
            b.header("Content-Type", type);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> r = admin.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }

    static void log(String format, Object... args) {
        System.err.printf(format + "%n", args);
    }

    static void println(String format, Object... args) {
        System.out.printf(format + "%n", args);
    }
}
