import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

/**
 * The device's own apply time (bench/updates/device-apply.sh): one executable agent ({@code launcher/target/edgeflow},
 * its shipped JVM options) provisioned for the packaged reference cloud and trusting its release key; deployments
 * of the hardware facts bundle (two versions alternating, padded to SIZE bytes), one after the other. For each, the
 * times the agent itself recorded: the "accepted" line of its log (the deployment received), and the
 * {@code updated_at} of each state in its journal ({@code <data>/updates/journal/<id>.json}, to the microsecond; the
 * journal is read every millisecond to see each state while it lasts). Phases: download (accepted -> verifying),
 * verify and save the current set (verifying -> applying), apply and refresh (applying -> checking), start and health
 * check and commit (checking -> succeeded).
 */
public final class DeviceApplyBench {
    static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"([a-z_]+)\"");
    static final Pattern UPDATED = Pattern.compile("\"updated_at\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern LOG_TIME = Pattern.compile("^(\\S+) \\[INFO\\] DeploymentEngine - Deployment (\\S+) accepted");
    static final List<String> STATES = List.of("downloading", "verifying", "applying", "checking", "succeeded");

    static String url;
    static String token;
    static HttpClient http;

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        url = BenchKit.require(o, "url");
        token = Files.readString(Path.of(BenchKit.require(o, "token-file"))).trim();
        Path work = Path.of(BenchKit.require(o, "work"));
        Path agentScript = Path.of(BenchKit.require(o, "agent")).toAbsolutePath();
        int runs = Integer.parseInt(o.getOrDefault("runs", "10"));
        int size = Integer.parseInt(o.getOrDefault("size", "102400"));
        Path ca = Path.of(BenchKit.require(o, "ca-file"));
        SSLContext tls = BenchKit.tls(BenchKit.trustManagers(ca));
        http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();

        String code = field(send("POST", "/api/v1/admin/provisioning-codes", "{\"ttl_seconds\": 3600}", 201), "code");
        String issued = send("POST", "/api/v1/devices/register", "{\"provisioning_code\": \"" + code
                + "\", \"request_id\": \"" + UUID.randomUUID() + "\"}", 201);
        String deviceId = field(issued, "device_id");
        String releaseKey = field(send("GET", "/api/v1/admin/release-key", null, 200), "public_key");

        Path data = work.resolve("agent-data");
        Path log = work.resolve("agent.log");
        ProcessBuilder pb = new ProcessBuilder(agentScript.toString()).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("EDGEFLOW_"));
        env.put("EDGEFLOW_CDS_ARCHIVE", "off");
        env.put("EDGEFLOW_DATA_DIR", data.toAbsolutePath().toString());
        env.put("EDGEFLOW_ENV_FILE", work.resolve("absent.env").toAbsolutePath().toString());
        env.put("EDGEFLOW_HTTP_PORT", Integer.toString(freePort()));
        env.put("EDGEFLOW_SAAS_ENABLED", "true");
        env.put("EDGEFLOW_SAAS_URL", url.replace("https://", ""));
        env.put("EDGEFLOW_SAAS_CA_FILE", ca.toAbsolutePath().toString());
        env.put("EDGEFLOW_DEVICE_ID", deviceId);
        env.put("EDGEFLOW_API_KEY", field(issued, "api_key"));
        env.put("EDGEFLOW_UPDATE_TRUSTED_KEYS", releaseKey);
        Process agent = pb.start();
        System.out.println("AGENT pid=" + agent.pid());
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!(Files.readString(log).contains("Remote updates enabled") && send("GET", "/api/v1/admin/devices/"
                    + deviceId, null, 200).matches("(?s).*\"online\"\\s*:\\s*true.*"))) {
                if (!agent.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the agent did not come online:\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
            byte[] shipped = shippedHardwareJar(Path.of(BenchKit.require(o, "agent-jar")));
            String[] artifacts = new String[2];
            for (int v = 0; v < 2; v++) {
                byte[] jar = withVersion(shipped, "0.1." + (900 + v), size);
                artifacts[v] = field(sendBytes("/api/v1/admin/artifacts", jar), "sha256");
                send("POST", "/api/v1/admin/artifacts/" + artifacts[v] + "/signatures", "{\"release_key\": true}", 201);
            }
            int warmUp = 2;
            for (int i = 0; i < warmUp + runs; i++) {
                String sha = artifacts[i % 2];
                long created = System.nanoTime();
                String id = field(send("POST", "/api/v1/admin/deployments", "{\"operations\": [{\"action\": \"update\","
                        + " \"artifact\": \"" + sha + "\"}], \"devices\": [\"" + deviceId + "\"]}", 201), "id");
                Path journal = data.resolve("updates").resolve("journal").resolve(id + ".json");
                Map<String, Instant> seen = new LinkedHashMap<>();
                String last = "";
                while (!last.equals("succeeded")) {
                    if (System.nanoTime() - created > Duration.ofSeconds(120).toNanos()) {
                        throw new IllegalStateException(id + " did not succeed: last " + last);
                    }
                    String text = "";
                    try {
                        text = Files.readString(journal);
                    } catch (java.io.IOException notYet) {
                        // not written yet: the deployment is on its way through the tunnel
                    }
                    Matcher s = STATE.matcher(text);
                    Matcher u = UPDATED.matcher(text);
                    if (s.find() && u.find()) {
                        last = s.group(1);
                        if (!STATES.contains(last)) {
                            throw new IllegalStateException(id + " ended " + last + ":\n" + text);
                        }
                        seen.putIfAbsent(last, Instant.parse(u.group(1)));
                    }
                    Thread.sleep(1);
                }
                long cloudMs = awaitCloud(id, deviceId, created);
                Instant accepted = acceptedAt(log, id);
                Instant verifying = seen.getOrDefault("verifying", seen.get("applying"));
                Instant applying = seen.get("applying");
                Instant checking = seen.getOrDefault("checking", seen.get("succeeded"));
                Instant succeeded = seen.get("succeeded");
                String missed = String.join(",", STATES.stream().skip(1).filter(st -> !seen.containsKey(st)).toList());
                System.out.printf("RESULT run=%d warmup=%b download_ms=%.1f verify_ms=%.1f apply_ms=%.1f check_ms=%.1f "
                        + "device_ms=%.1f cloud_ms=%d missed=%s%n", i + 1, i < warmUp, ms(accepted, verifying),
                        ms(verifying, applying), ms(applying, checking), ms(checking, succeeded),
                        ms(accepted, succeeded), cloudMs, missed.isEmpty() ? "-" : missed);
            }
        } finally {
            agent.destroy();
            agent.waitFor();
        }
    }

    /** @return created -> succeeded in the cloud's view, in ms (polled every 10 ms) */
    static long awaitCloud(String id, String deviceId, long created) throws Exception {
        while (true) {
            String d = send("GET", "/api/v1/admin/deployments/" + id, null, 200);
            if (field(d, "state").equals("completed")) {
                return (System.nanoTime() - created) / 1_000_000;
            }
            if (System.nanoTime() - created > Duration.ofSeconds(120).toNanos()) {
                throw new IllegalStateException(id + " not completed in the cloud: " + d);
            }
            Thread.sleep(10);
        }
    }

    static Instant acceptedAt(Path log, String id) throws Exception {
        for (String line : Files.readAllLines(log)) {
            Matcher m = LOG_TIME.matcher(line);
            if (m.find() && m.group(2).equals(id)) {
                return OffsetDateTime.parse(m.group(1)).toInstant();
            }
        }
        throw new IllegalStateException("no 'accepted' line for " + id + " in " + log);
    }

    static int freePort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static double ms(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    static byte[] shippedHardwareJar(Path agentJar) throws Exception {
        try (JarFile launcher = new JarFile(agentJar.toFile())) {
            JarEntry entry = launcher.stream().filter(e -> e.getName().startsWith("jar/io.edgeflow.facts.hardware-"))
                    .findFirst().orElseThrow();
            try (InputStream in = launcher.getInputStream(entry)) {
                return in.readAllBytes();
            }
        }
    }

    /** @return the jar at another version, padded with an incompressible resource to about {@code size} bytes */
    static byte[] withVersion(byte[] jar, String version, int size) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Bundle-Version", version);
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
                if (size > jar.length) {
                    byte[] random = new byte[size - jar.length];
                    new Random(42).nextBytes(random);
                    out.putNextEntry(new JarEntry("bench-padding.bin"));
                    out.write(random);
                    out.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }

    static String send(String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    static String sendBytes(String path, byte[] body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/java-archive").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("upload: " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
