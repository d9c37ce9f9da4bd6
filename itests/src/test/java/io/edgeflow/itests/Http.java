package io.edgeflow.itests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A small HTTP client for the tests: the JDK's, with timeouts, and a wait for a port to answer. */
public final class Http {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Http() {
    }

    public static HttpResponse<String> send(String method, String url, String body, String contentType)
            throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> sendWithHeader(String method, String url, String body, String contentType,
            String header, String value) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header(header, value);
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return send("GET", url, null, null);
    }

    /**
     * Polls the agent's status until {@code condition} holds.
     *
     * @param statusUrl the status endpoint
     * @param what the awaited state, for the failure message
     * @param condition what the status must satisfy
     * @param patience how long to poll
     * @return the first status that satisfies the condition
     * @throws AssertionError with the last status, if none did in time
     */
    public static JsonNode awaitStatus(String statusUrl, String what, Predicate<JsonNode> condition, Duration patience)
            throws Exception {
        Instant deadline = Instant.now().plus(patience);
        Object last = null;
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> answer = get(statusUrl);
            if (answer.statusCode() != 200) {
                // the HTTP server answers before the status servlet is registered (Jetty's own 404 page while the
                // agent starts, or the start level rises for the Web Console): not a status yet
                last = answer.statusCode() + " " + answer.body();
            } else {
                JsonNode status = JSON.readTree(answer.body());
                last = status;
                if (condition.test(status)) {
                    return status;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("status not " + what + " within " + patience + "; last: " + last);
    }

    /**
     * Waits until GET url answers with the given status.
     *
     * @return the answer
     * @throws AssertionError if it does not within the timeout
     */
    public static HttpResponse<String> await(String url, int status, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> response = get(url);
                if (response.statusCode() == status) {
                    return response;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("GET " + url + " did not answer " + status + " within " + timeout + "; last: " + last);
    }

    /**
     * POSTs a JSON body until the answer has the given status (a configuration change takes a moment).
     *
     * @return the answer
     * @throws AssertionError if it does not within the timeout
     */
    public static HttpResponse<String> awaitAnswer(String url, String json, int status, Duration timeout)
            throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        HttpResponse<String> last = null;
        while (Instant.now().isBefore(deadline)) {
            last = send("POST", url, json, "application/json");
            if (last.statusCode() == status) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("POST " + url + " did not answer " + status + " within " + timeout + "; last: "
                + (last == null ? null : last.statusCode() + " " + last.body()));
    }

    /**
     * Sends bytes as they are, for requests a well-behaved client refuses to build.
     *
     * @return the status code and the whole answer
     */
    public static RawResponse raw(String host, int port, byte[] request) throws IOException {
        try (java.net.Socket socket = new java.net.Socket(host, port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String[] statusLine = answer.split("\r\n", 2)[0].split(" ");
            int status = statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : -1;
            return new RawResponse(status, answer);
        }
    }

    /** A raw answer: its status and everything that came back. */
    public record RawResponse(int status, String text) {
    }

    /** @return true if nothing accepts connections at url within the timeout's end */
    public static boolean refuses(String url, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                get(url);
            } catch (IOException e) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** A condition that may throw while it is looked at (a file not there yet, a connection refused). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Waits until a condition holds, looking every 50 ms: the tests wait on what they expect, never on a fixed time.
     *
     * @param what for the message
     * @param patience how long at the most
     * @param condition the condition; an exception counts as "not yet"
     * @throws AssertionError if it does not hold within the patience, naming what and the last exception
     */
    public static void awaitTrue(String what, Duration patience, Condition condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(patience);
        Exception last = null;
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (!Instant.now().isBefore(deadline)) {
                throw new AssertionError(what + " not within " + patience + (last == null ? "" : "; last: " + last));
            }
            Thread.sleep(50);
        }
    }
}
