package io.edgeflow.cloud;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A device's side of remote updates as the contract has it, for the cloud's tests: its tunnel
 * ({@link SimulatedDevice}) answers {@code POST /api/v1/deployments} as told ({@link #answers}: 202 by default),
 * and after a 202 it downloads each artifact with its key and reports its states over HTTPS, ending in
 * {@link #outcome}.
 */
final class UpdatingDevice implements AutoCloseable {
    final TestCloud cloud;
    final String id;
    final String key;
    final SimulatedDevice tunnel;
    /** The deployment requests it received, as they came. */
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    /** The statuses to answer with, one per request; 202 once they run out. */
    final List<Integer> answers = new CopyOnWriteArrayList<>();
    /** The bytes of the artifacts it downloaded. */
    final List<byte[]> downloads = new CopyOnWriteArrayList<>();
    final AtomicInteger reportsSent = new AtomicInteger();
    /** How a deployment ends on this device: succeeded, rolled_back, failed. */
    volatile String outcome = "succeeded";
    private final Thread worker;
    private volatile boolean running = true;

    private UpdatingDevice(TestCloud cloud, String id, String key, SimulatedDevice tunnel) {
        this.cloud = cloud;
        this.id = id;
        this.key = key;
        this.tunnel = tunnel;
        this.worker = new Thread(this::work, "updating-device-" + id);
        this.worker.setDaemon(true);
    }

    /** A new device, provisioned, not connected. */
    static Offline provision(TestCloud cloud) throws Exception {
        TestCloud.Answer a = cloud.provisionDevice();
        return new Offline(cloud, a.text("device_id"), a.text("api_key"));
    }

    /** A device with its key and no tunnel yet. */
    record Offline(TestCloud cloud, String id, String key) {
        UpdatingDevice connect() throws Exception {
            return connect(List.of());
        }

        UpdatingDevice connect(List<Integer> answers) throws Exception {
            SimulatedDevice t = SimulatedDevice.connect(cloud, id, key);
            t.next("hello");
            UpdatingDevice d = new UpdatingDevice(cloud, id, key, t);
            d.answers.addAll(answers);
            d.worker.start();
            return d;
        }
    }

    private void work() {
        while (running) {
            try {
                JsonNode f = tunnel.frames.poll(100, TimeUnit.MILLISECONDS);
                if (f == null || !"request".equals(f.path("type").asText())) {
                    continue;
                }
                JsonNode body = TestCloud.JSON.readTree(Base64.getDecoder().decode(f.path("body").asText()));
                requests.add(body);
                int status = answers.isEmpty() ? 202 : answers.remove(0);
                String answer = switch (status) {
                    case 202 -> "{\"id\": \"" + body.path("id").asText() + "\", \"state\": \"downloading\"}";
                    case 403 -> "{\"error\": \"updates_disabled\", \"message\": \"no trusted key is configured\"}";
                    case 409 -> "{\"error\": \"deployment_in_progress\", \"message\": \"another one runs\"}";
                    default -> "{\"error\": \"invalid_deployment\", \"message\": \"malformed\"}";
                };
                tunnel.send("{\"type\": \"response\", \"id\": \"" + f.path("id").asText() + "\", \"status\": " + status
                        + ", \"headers\": {\"content-type\": \"application/json\"}, \"body\": \""
                        + Base64.getEncoder().encodeToString(answer.getBytes(StandardCharsets.UTF_8)) + "\"}");
                if (status == 202) {
                    apply(body);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (running) {
                    e.printStackTrace();
                }
            }
        }
    }

    private void apply(JsonNode deployment) throws Exception {
        String dep = deployment.path("id").asText();
        for (JsonNode op : deployment.path("operations")) {
            if (op.has("sha256")) {
                HttpResponse<byte[]> r = get("/api/v1/devices/" + id + "/artifacts/" + op.path("sha256").asText(),
                        null);
                if (r.statusCode() != 200) {
                    throw new AssertionError("download: " + r.statusCode());
                }
                downloads.add(r.body());
            }
        }
        for (String state : List.of("verifying", "applying", "checking")) {
            report(dep, state, null);
        }
        report(dep, outcome, outcome.equals("succeeded") ? null : "the component threw on activation");
    }

    HttpResponse<byte[]> get(String path, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cloud.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key).GET();
        if (range != null) {
            b.header("Range", range);
        }
        return cloud.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    TestCloud.Answer report(String deployment, String state, String reason) throws Exception {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("state", state);
        body.put("reason", reason);
        body.put("failed", reason == null ? null : Map.of("bundle", "io.edgeflow.facts.hardware", "component",
                "io.edgeflow.facts.hardware.HardwareFacts", "message", "boom"));
        TestCloud.Answer a = cloud.call("POST", "/api/v1/devices/" + id + "/deployments/" + deployment + "/status",
                body, key);
        if (a.status() != 204) {
            throw new AssertionError("report: " + a);
        }
        reportsSent.incrementAndGet();
        return a;
    }

    @Override
    public void close() throws Exception {
        running = false;
        worker.join(5_000);
        tunnel.close();
    }
}
