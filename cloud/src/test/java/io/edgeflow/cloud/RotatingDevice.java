package io.edgeflow.cloud;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A device's side of "Rotate key" as the agent does it, for the dashboard's tests: its tunnel ({@link SimulatedDevice})
 * answers {@code POST /api/v1/saas/rotate-key} by asking the cloud for a new key with its current one and confirming
 * the new key over HTTPS, then answering 200 with the new expiry; or it answers an error it was told to; or, as the
 * agent does when it stores the new key, it closes its tunnel before it answers and opens another with the new key.
 */
public final class RotatingDevice implements AutoCloseable {
    /** How the device answers the next rotation request. */
    public enum Behaviour {
        /** Rotates and confirms, then answers 200. */
        ROTATE,
        /** Answers 503 {@code cloud_unreachable} without rotating. */
        UNREACHABLE,
        /** Rotates, then closes its tunnel before answering and reconnects with the new key; confirms after. */
        ROTATE_AND_RECONNECT
    }

    private final TestCloud cloud;
    /** The Device ID. */
    public final String id;
    private volatile String key;
    private volatile SimulatedDevice tunnel;
    /** How the next rotation request is answered. */
    public volatile Behaviour behaviour = Behaviour.ROTATE;
    /** The paths of the requests it received through its tunnel. */
    public final List<String> requests = new CopyOnWriteArrayList<>();
    private final Thread worker;
    private volatile boolean running = true;

    private RotatingDevice(TestCloud cloud, String id, String key) throws Exception {
        this.cloud = cloud;
        this.id = id;
        this.key = key;
        this.tunnel = open(key);
        this.worker = new Thread(this::work, "rotating-device-" + id);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /**
     * @param cloud the cloud
     * @return a new device, provisioned and confirmed, online
     * @throws Exception if it cannot be set up
     */
    public static RotatingDevice online(TestCloud cloud) throws Exception {
        TestCloud.Answer a = cloud.provisionDevice();
        return new RotatingDevice(cloud, a.text("device_id"), a.text("api_key"));
    }

    /** @return the key the device holds now */
    public String key() {
        return key;
    }

    private SimulatedDevice open(String withKey) throws Exception {
        SimulatedDevice t = SimulatedDevice.connect(cloud, id, withKey);
        t.next("hello");
        return t;
    }

    private void work() {
        while (running) {
            try {
                SimulatedDevice t = tunnel;
                JsonNode f = t.frames.poll(100, TimeUnit.MILLISECONDS);
                if (f == null || !"request".equals(f.path("type").asText())) {
                    continue;
                }
                requests.add(f.path("method").asText() + " " + f.path("path").asText());
                Behaviour now = behaviour;
                if (now == Behaviour.UNREACHABLE) {
                    answer(t, f, 503, "{\"error\": \"cloud_unreachable\", \"message\": \"Cannot connect to the cloud "
                            + "at <b>127.0.0.1:1</b>.\"}");
                    continue;
                }
                TestCloud.Answer rotated = cloud.call("POST", "/api/v1/devices/" + id + "/rotate-key", null, key);
                if (rotated.status() != 200) {
                    answer(t, f, 409, "{\"error\": \"" + rotated.error() + "\", \"message\": \"refused\"}");
                    continue;
                }
                key = rotated.text("api_key");
                if (now == Behaviour.ROTATE_AND_RECONNECT) {
                    t.ws.sendClose(1001, "new credentials").get(5, TimeUnit.SECONDS);
                    t.closed.get(5, TimeUnit.SECONDS);
                    tunnel = open(key);
                }
                TestCloud.Answer confirmed = cloud.confirm(id, key);
                if (confirmed.status() != 200) {
                    throw new AssertionError("confirming the rotated key: " + confirmed);
                }
                if (now == Behaviour.ROTATE) {
                    answer(t, f, 200, "{\"device_id\": \"" + id + "\", \"expires_at\": \"" + rotated.text("expires_at")
                            + "\", \"confirmed\": true}");
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

    private static void answer(SimulatedDevice t, JsonNode request, int status, String body) throws Exception {
        t.send("{\"type\": \"response\", \"id\": \"" + request.path("id").asText() + "\", \"status\": " + status
                + ", \"headers\": {\"content-type\": \"application/json\"}, \"body\": \""
                + Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)) + "\"}");
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        tunnel.close();
    }
}
