package io.edgeflow.cloud.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty answers itself, before any handler runs (an ambiguous URI such as
 * {@code /api/v1/%2e%2e/x}, a malformed request line), in the API's JSON shape
 * {@code {"error", "message"}} instead of an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) throws IOException {
        String error = code == 404 ? "not_found" : code == 405 ? "method_not_allowed"
                : code >= 500 ? "internal_error" : "invalid_request";
        String text = message == null || message.isBlank() ? "HTTP " + code : message;
        String body = "{\n  \"error\" : \"" + error + "\",\n  \"message\" : \"" + escape(text) + "\"\n}\n";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < ' ') {
                out.append(' ');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
