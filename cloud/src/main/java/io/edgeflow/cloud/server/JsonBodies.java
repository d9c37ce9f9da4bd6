package io.edgeflow.cloud.server;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.edgeflow.cloud.provisioning.CloudError;

/**
 * The rules for a request's JSON body (docs/protocol.md): sent as {@code application/json}, UTF-8, one
 * JSON object; and what a body that could not be read means for the caller. Everything here is the
 * caller's mistake: a 4xx with a clear message, never a 500.
 */
final class JsonBodies {
    private JsonBodies() {
    }

    /**
     * @param request a request
     * @return true if it announces a body (a positive {@code Content-Length}, or chunks)
     */
    static boolean hasBody(Request request) {
        return request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    /**
     * Checks the {@code Content-Type} of a request that carries a body (a request without one needs none: an
     * endpoint that requires a body says so with a 400).
     *
     * @param request the request
     * @throws CloudError 415 {@code invalid_request} for no type, another type, or a charset other than UTF-8
     */
    static void checkMediaType(Request request) throws CloudError {
        if (!hasBody(request)) {
            return;
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (!isJsonInUtf8(type)) {
            throw new CloudError(415, "invalid_request", type == null
                    ? "Send the body with 'Content-Type: application/json'."
                    : "Send the body as application/json in UTF-8, not " + printable(type) + ".");
        }
    }

    /**
     * @param type a {@code Content-Type} value, or null
     * @return true for {@code application/json}, with no parameters or a UTF-8 {@code charset}
     */
    static boolean isJsonInUtf8(String type) {
        if (type == null) {
            return false;
        }
        String[] parts = type.split(";", -1);
        if (!parts[0].trim().toLowerCase(Locale.ROOT).equals("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            if (parameter.isEmpty()) {
                continue;
            }
            int eq = parameter.indexOf('=');
            if (eq <= 0) {
                return false;
            }
            String name = parameter.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = parameter.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            if (name.equals("charset") && !value.equalsIgnoreCase("utf-8") && !value.equalsIgnoreCase("utf8")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a body that was read whole.
     *
     * @param json the mapper
     * @param body the bytes
     * @param required true if an empty body is an error
     * @return the object, or null for an empty body that is not required
     * @throws CloudError 400 {@code invalid_request} for anything but one JSON object in UTF-8
     */
    static JsonNode parse(ObjectMapper json, byte[] body, boolean required) throws CloudError {
        String text;
        try {
            // strictly UTF-8: Jackson would otherwise guess UTF-16 or UTF-32 from the first bytes
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new CloudError(400, "invalid_request", "The body is not valid UTF-8.");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (text.isBlank()) {
            if (required) {
                throw new CloudError(400, "invalid_request", "The request needs a JSON object as its body.");
            }
            return null;
        }
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new CloudError(400, "invalid_request", "The body is not valid JSON" + where + ".");
        } catch (RuntimeException e) {
            // Jackson's own limits (nesting depth, number and string lengths) and anything it cannot decode
            throw new CloudError(400, "invalid_request", "The body is not valid JSON.");
        }
        if (node == null || !node.isObject()) {
            throw new CloudError(400, "invalid_request", "The body must be a JSON object.");
        }
        return node;
    }

    /** Why a body could not be read, as the caller is told and the log records it. */
    enum Failure {
        /** The body did not arrive in time: the client is slow or stalled. */
        TIMEOUT(408, "request_timeout", "slow-body", "The request body did not arrive in time."),
        /** The body broke the HTTP framing (bad chunks, a length that does not match). */
        MALFORMED(400, "invalid_request", "malformed-body", "The request body is malformed."),
        /** The client went away before its body ended. */
        ABORTED(400, "invalid_request", "aborted-body", "The request body ended before it was complete.");

        final int status;
        final String code;
        final String kind;
        final String message;

        Failure(int status, String code, String kind, String message) {
            this.status = status;
            this.code = code;
            this.kind = kind;
            this.message = message;
        }

        /** @return the answer for the caller */
        CloudError error() {
            return new CloudError(status, code, message);
        }

        /**
         * @param failure what reading the body failed with
         * @return what it means
         */
        static Failure of(Throwable failure) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException) {
                    return TIMEOUT;
                }
                if (t instanceof EofException || t instanceof java.io.EOFException) {
                    return ABORTED; // Jetty's "early EOF" is one too, though it also carries a 400
                }
                if (t instanceof HttpException h) {
                    return h.getCode() == 408 ? TIMEOUT : MALFORMED;
                }
                if (t.getCause() == t) {
                    break;
                }
            }
            return ABORTED;
        }
    }

    /** A header value as it may appear in a message: printable ASCII, at most 60 characters. */
    static String printable(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 60; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return "'" + out + (value.length() > 60 ? "...'" : "'");
    }
}
