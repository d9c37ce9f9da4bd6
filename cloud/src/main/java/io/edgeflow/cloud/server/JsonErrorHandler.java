package io.edgeflow.cloud.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Errors that Jetty answers itself, before any handler runs (an ambiguous URI such as
 * {@code /api/v1/%2e%2e/x}, a malformed request line, headers too large), in the API's JSON shape
 * {@code {"error", "message"}} instead of an HTML page or an empty body, whatever the method.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Jetty's handler writes a body only for GET, POST and HEAD and answers every other method's error
     * with an empty body and no content type: ours answers every method alike.
     */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) throws IOException {
        int status = code;
        if (code == 501 || code == 505) {
            // Jetty's answers to a malformed request (no or an unknown HTTP version, a transfer coding it does
            // not implement): the caller's mistake, so a 400 like every other, never a 5xx
            status = 400;
            response.setStatus(status);
        }
        byte[] bytes = body(status, message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        // Every answer Jetty gives itself closes the connection, and says so: after a request it could not parse
        // (a request line or head too long: 414, 431; a broken header) Jetty closes it anyway, and without this
        // header a client (the JDK's) kept the connection and sent its next request on it, to no answer (found
        // by CloudApiFuzzTest: a 414, then "header parser received no bytes"); a refused CONNECT's connection
        // Jetty would otherwise keep open (it would have become a tunnel), even when the client asked to close it
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /**
     * @return the error body, {@code {"error", "message"}}, written by Jackson (every character of the message
     *         kept, escaped as JSON requires), with a closing newline like every other answer
     */
    static byte[] body(int code, String message) throws IOException {
        String error = code == 404 ? "not_found" : code == 405 ? "method_not_allowed"
                : code >= 500 ? "internal_error" : "invalid_request";
        String text = message == null || message.isBlank() ? "HTTP " + code : message;
        return (JSON.writeValueAsString(Reply.errorBody(error, text)) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
