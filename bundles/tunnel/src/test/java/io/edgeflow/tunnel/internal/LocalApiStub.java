package io.edgeflow.tunnel.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Stands in for the agent's local API in unit tests (the integration tests use the real one): a JDK HTTP
 * server on 127.0.0.1 and a free port. It records what it was asked, headers included.
 */
final class LocalApiStub implements AutoCloseable {
    static final String FACTS = "{\n  \"hardware\": {\"board_model\": \"Raspberry Pi 4 Model B Rev 1.4\", \"cpu_cores\": 4},\n"
            + "  \"network\": {\"hostname\": \"edgeflow-pi-001\"}\n}\n";

    static final String UNAUTHORIZED = "{\n  \"error\": \"unauthorized\",\n  \"message\": \"This endpoint needs "
            + "'Authorization: Bearer <API token>' (EDGEFLOW_API_TOKEN).\"\n}\n";

    /** One request as the stub saw it. */
    record Seen(String method, String path, Map<String, List<String>> headers, byte[] body) {
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-api-stub");
        t.setDaemon(true);
        return t;
    });

    LocalApiStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    URI address() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery();
        seen.add(new Seen(exchange.getRequestMethod(), query == null ? path : path + "?" + query,
                Map.copyOf(exchange.getRequestHeaders()), body));
        try {
            switch (path) {
                case "/api/v1/device/facts" -> reply(exchange, 200, "application/json", FACTS.getBytes(StandardCharsets.UTF_8));
                case "/api/v1/echo" -> reply(exchange, exchange.getRequestMethod().equals("DELETE") ? 204 : 200,
                        exchange.getRequestHeaders().getFirst("Content-Type"), body);
                case "/api/v1/slow" -> {
                    long ms = Long.parseLong(query.substring(query.indexOf('=') + 1));
                    Thread.sleep(ms); // stays: the slow local API under test, not a wait for something
                    reply(exchange, 200, "application/json", ("{\"slept\": " + ms + "}\n").getBytes(StandardCharsets.UTF_8));
                }
                case "/api/v1/big" -> reply(exchange, 200, "application/octet-stream", new byte[3 * 1024 * 1024]);
                case "/api/v1/locked" -> {
                    // what the real local API answers a POST without the API token
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer");
                    reply(exchange, 401, "application/json", UNAUTHORIZED.getBytes(StandardCharsets.UTF_8));
                }
                case "/api/v1/locked-basic" -> {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"edgeflow\"");
                    reply(exchange, 401, "application/json", UNAUTHORIZED.getBytes(StandardCharsets.UTF_8));
                }
                case "/api/v1/teapot" -> {
                    exchange.getResponseHeaders().add("Retry-After", "7");
                    reply(exchange, 418, "application/json", "{\"error\": \"teapot\"}\n".getBytes(StandardCharsets.UTF_8));
                }
                default -> reply(exchange, 404, "application/json",
                        "{\"error\": \"not_found\", \"message\": \"no such path\"}\n".getBytes(StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        if (type != null) {
            exchange.getResponseHeaders().add("Content-Type", type);
        }
        exchange.getResponseHeaders().add("X-Secret-Header", "never forwarded");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
