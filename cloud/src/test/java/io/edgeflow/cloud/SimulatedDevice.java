package io.edgeflow.cloud;

import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A device's end of the tunnel, written by hand with the JDK's WebSocket client: the test decides every
 * frame it sends and reads every frame the cloud sends.
 */
final class SimulatedDevice implements WebSocket.Listener, AutoCloseable {
    final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket ws;

    static SimulatedDevice connect(TestCloud cloud, String deviceId, String key, String... protocols) throws Exception {
        return connect(cloud.http, cloud.url(), deviceId, key, protocols);
    }

    static SimulatedDevice connect(java.net.http.HttpClient http, String url, String deviceId, String key,
            String... protocols) throws Exception {
        SimulatedDevice device = new SimulatedDevice();
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (deviceId != null) {
            builder.header("X-EdgeFlow-Device-Id", deviceId);
        }
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        if (protocols.length > 0) {
            String[] rest = new String[protocols.length - 1];
            System.arraycopy(protocols, 1, rest, 0, rest.length);
            builder.subprotocols(protocols[0], rest);
        }
        URI uri = URI.create(url.replace("https://", "wss://") + "/api/v1/tunnel");
        device.ws = builder.buildAsync(uri, device).get(10, TimeUnit.SECONDS);
        return device;
    }

    static SimulatedDevice connect(TestCloud cloud, String deviceId, String key) throws Exception {
        return connect(cloud, deviceId, key, "edgeflow.tunnel.v1");
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(TestCloud.JSON.readTree(partial.toString()));
            } catch (Exception e) {
                frames.add(TestCloud.JSON.createObjectNode().put("unparseable", partial.toString()));
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete("error " + error);
    }

    /** The next frame from the cloud, or an error if none comes within 5 s. */
    JsonNode next() throws InterruptedException {
        JsonNode f = frames.poll(5, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("no frame from the cloud within 5 s");
        }
        return f;
    }

    /** The next frame of a type, skipping others. */
    JsonNode next(String type) throws InterruptedException {
        while (true) {
            JsonNode f = next();
            if (type.equals(f.path("type").asText())) {
                return f;
            }
        }
    }

    synchronized void send(String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    void sendBinary() throws Exception {
        ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (ws != null) {
            ws.abort();
        }
    }
}
