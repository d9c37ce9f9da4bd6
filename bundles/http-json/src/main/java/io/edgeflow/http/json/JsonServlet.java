package io.edgeflow.http.json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.edgeflow.json.JsonCodec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Base of every local API servlet: answers in JSON, turns {@link ApiError}s into
 * {@code {"error": "...", "message": "..."}} with their status, answers a method it does not serve
 * with 405 and an {@code Allow} header, and never lets a stack trace reach the caller.
 * <p>
 * A subclass names its handlers by HTTP method ({@link #handlers()}); every bundle that serves part of the
 * local API (local API, inventory, update) embeds a private copy of this class, so they all answer alike.
 */
public abstract class JsonServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(JsonServlet.class);

    /** Largest request body accepted, in bytes. */
    public static final int MAX_BODY_BYTES = 16 * 1024;
    /** Longest request URI (path and query) the local API answers; a longer one is 414. */
    public static final int MAX_URI_CHARS = 8 * 1024;
    /** Largest request headers (names and values) the local API answers; larger ones are 431. */
    public static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Most header fields the local API answers; more are 431. */
    public static final int MAX_HEADER_COUNT = 100;
    /** Deepest nesting accepted in a request body. */
    public static final int MAX_DEPTH = 32;
    /** Request bodies and answers. */
    public static final JsonCodec JSON = JsonCodec.withLimits(MAX_DEPTH, MAX_BODY_BYTES);

    /** A request handler; returns the HTTP status and the JSON body. */
    @FunctionalInterface
    public interface Handler {
        Reply handle(HttpServletRequest request) throws ApiError, IOException;
    }

    /**
     * A JSON reply.
     *
     * @param status HTTP status
     * @param body what to serialise
     */
    public record Reply(int status, Object body) {
    }

    /** @return the handlers of this servlet by HTTP method (upper case) */
    protected abstract Map<String, Handler> handlers();

    /**
     * Answers one request; public (it is protected in {@link HttpServlet}) so that tests can drive a servlet
     * without a container and without {@code ServletException}.
     */
    @Override
    public void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod() == null ? "" : request.getMethod().toUpperCase(Locale.ROOT);
        Reply reply;
        try {
            checkHead(request);
            reply = answer(request, response, method);
            if (reply == null) {
                return; // answered already (OPTIONS)
            }
        } catch (ApiError e) {
            reply = errorReply(response, e);
        } catch (IOException e) {
            // The body could not be read: the client sent a broken chunked body, aborted its upload, or
            // bytes that no decoder accepts. Its mistake or its network: a 400, and no stack trace.
            LOG.debug("Local API {} {}: the request body could not be read: {}", method,
                    printable(request.getRequestURI()), e.toString());
            response.setHeader("Connection", "close");
            reply = error(400, "invalid_request", "The request body could not be read.");
        } catch (RuntimeException e) {
            // Our own defect, not the caller's: log the type and where, never the request body.
            LOG.error("Local API {} {} failed: {}", method, printable(request.getRequestURI()), e.toString(), e);
            reply = error(500, "internal_error", "The agent could not answer this request; see the agent log.");
        }
        drainUnreadBody(request, response);
        write(response, reply, "HEAD".equals(method));
    }

    /**
     * Answers one request whose head is within the limits: the handler of its method, 405 with {@code Allow}
     * for another method, 204 with {@code Allow} for {@code OPTIONS}.
     *
     * @return the reply, or null if the answer is already written
     */
    protected Reply answer(HttpServletRequest request, HttpServletResponse response, String method)
            throws ApiError, IOException {
        Map<String, Handler> handlers = handlers();
        Handler handler = handlers.get(method);
        if (handler == null && "HEAD".equals(method)) {
            handler = handlers.get("GET");
        }
        if ("OPTIONS".equals(method) && handler == null) {
            response.setHeader("Allow", allow(handlers));
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return null;
        }
        if (handler == null) {
            response.setHeader("Allow", allow(handlers));
            throw new ApiError(405, "method_not_allowed", "Method " + printable(method) + " is not allowed on "
                    + printable(request.getRequestURI()) + "; allowed: " + allow(handlers));
        }
        return handler.handle(request);
    }

    /**
     * The reply for an error, with its {@code WWW-Authenticate} (401) and {@code Retry-After} headers.
     *
     * @param response where the headers go
     * @param e the error
     * @return the JSON error reply
     */
    public static Reply errorReply(HttpServletResponse response, ApiError e) {
        if (e.status() == 401) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        if (e.retryAfterSeconds() >= 0) {
            response.setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        return error(e.status(), e.code(), e.getMessage());
    }

    /**
     * The local API's own limits on the request head, below the HTTP server's (which answers in its own
     * format, see docs/architecture.md): a longer URI is 414 {@code uri_too_long}, larger headers are 431
     * {@code headers_too_large}, both in JSON.
     */
    public static void checkHead(HttpServletRequest request) throws ApiError {
        String uri = request.getRequestURI();
        String query = request.getQueryString();
        long uriLength = (uri == null ? 0 : uri.length()) + (query == null ? 0 : query.length() + 1);
        if (uriLength > MAX_URI_CHARS) {
            throw new ApiError(414, "uri_too_long", "The request URI is longer than " + MAX_URI_CHARS
                    + " characters.");
        }
        long headerBytes = 0;
        int headerCount = 0;
        for (java.util.Enumeration<String> names = request.getHeaderNames(); names != null
                && names.hasMoreElements();) {
            String name = names.nextElement();
            for (java.util.Enumeration<String> values = request.getHeaders(name); values != null
                    && values.hasMoreElements();) {
                String value = values.nextElement();
                headerBytes += name.length() + 4 + (value == null ? 0 : value.length());
                headerCount++;
            }
        }
        if (headerBytes > MAX_HEADER_BYTES || headerCount > MAX_HEADER_COUNT) {
            throw new ApiError(431, "headers_too_large", "The request headers are larger than " + MAX_HEADER_BYTES
                    + " bytes or more than " + MAX_HEADER_COUNT + " fields.");
        }
    }

    /** A request URI or method as it may appear in a message: control characters replaced, at most 200 chars. */
    public static String printable(String text) {
        String s = text == null ? "" : text;
        if (s.length() > 200) {
            s = s.substring(0, 200) + "…";
        }
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    /**
     * Reads and discards a request body that the handler did not read (a POST answered with 405, say),
     * so that the connection can carry the client's next request; a body too large to drain closes
     * the connection instead of leaving the client to find it half-read.
     */
    public static void drainUnreadBody(HttpServletRequest request, HttpServletResponse response) {
        long length = request.getContentLengthLong();
        boolean chunked = "chunked".equalsIgnoreCase(request.getHeader("Transfer-Encoding"));
        if (length <= 0 && !chunked) {
            return;
        }
        if (length > MAX_BODY_BYTES) {
            response.setHeader("Connection", "close");
            return;
        }
        try {
            InputStream in = request.getInputStream();
            byte[] buffer = new byte[4096];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0;) {
                total += n;
                if (total > MAX_BODY_BYTES) {
                    response.setHeader("Connection", "close");
                    return;
                }
            }
        } catch (IOException | IllegalStateException e) {
            // already read by the handler, or the client went away: nothing to drain
            response.setHeader("Connection", "close");
        }
    }

    /**
     * @param status HTTP status
     * @param code stable lower-case error code
     * @param message for a person
     * @return the reply {@code {"error": code, "message": message}}
     */
    public static Reply error(int status, String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        return new Reply(status, body);
    }

    private static String allow(Map<String, Handler> handlers) {
        Set<String> methods = new TreeSet<>(handlers.keySet());
        if (methods.contains("GET")) {
            methods.add("HEAD");
        }
        methods.add("OPTIONS");
        return String.join(", ", methods);
    }

    /**
     * Writes a reply as pretty-printed JSON with the local API's headers ({@code no-store}, {@code nosniff}).
     *
     * @param response the response
     * @param reply the reply
     * @param headOnly true for a HEAD request: headers only
     * @throws IOException if the connection fails
     */
    public static void write(HttpServletResponse response, Reply reply, boolean headOnly) throws IOException {
        byte[] bytes = JSON.writePretty(reply.body());
        response.setStatus(reply.status());
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setContentLength(bytes.length + 1);
        if (!headOnly) {
            response.getOutputStream().write(bytes);
            response.getOutputStream().write('\n');
        }
    }

    /**
     * Reads a JSON object from the request body.
     *
     * @param request the request
     * @return the object
     * @throws ApiError 415 for another content type, 413 for a body over {@link #MAX_BODY_BYTES}, 400 for
     *         anything that is not one JSON object
     * @throws IOException if the connection fails
     */
    public static Map<String, Object> readJsonObject(HttpServletRequest request) throws ApiError, IOException {
        String type = request.getContentType();
        if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "unsupported_media_type", "Send the body as application/json.");
        }
        if (request.getContentLengthLong() > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        return parseJsonObject(request.getInputStream());
    }

    /**
     * Reads one JSON object from a stream, at most {@link #MAX_BODY_BYTES} bytes.
     *
     * @param in the body
     * @return the object
     * @throws ApiError 413 for a body over the limit, 400 for anything that is not one JSON object
     * @throws IOException if the stream fails
     */
    public static Map<String, Object> parseJsonObject(InputStream in) throws ApiError, IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) > 0;) {
            body.write(buffer, 0, n);
            if (body.size() > MAX_BODY_BYTES) {
                throw tooLarge();
            }
        }
        if (body.size() == 0) {
            throw new ApiError(400, "invalid_body", "The request needs a JSON object as its body.");
        }
        Object value;
        try {
            value = JSON.read(body.toByteArray());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new ApiError(400, "invalid_json", "The body is not valid JSON" + where + ".");
        } catch (IOException e) {
            // the bytes themselves: a UTF-32 body with an invalid code point, a truncated UTF-16 pair
            // (CharConversionException, which is not a JsonProcessingException)
            throw new ApiError(400, "invalid_json", "The body is not valid JSON text (UTF-8, or UTF-16/32 "
                    + "with a byte order the parser can detect).");
        } catch (RuntimeException e) {
            // the parser gave up on the bytes in a way it does not declare
            throw new ApiError(400, "invalid_json", "The body is not valid JSON.");
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new ApiError(400, "invalid_body", "The body must be a JSON object.");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) value;
        return object;
    }

    private static ApiError tooLarge() {
        return new ApiError(413, "body_too_large", "The body is larger than " + MAX_BODY_BYTES + " bytes.");
    }
}
