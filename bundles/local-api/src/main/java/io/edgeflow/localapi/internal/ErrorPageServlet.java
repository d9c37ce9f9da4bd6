package io.edgeflow.localapi.internal;

import java.io.IOException;
import java.util.Map;

import javax.servlet.RequestDispatcher;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.edgeflow.http.json.JsonServlet;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletErrorPage;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The error page of the default context, for every 4xx and 5xx and every exception that the HTTP
 * runtime itself turns into an error (a request it refuses before a servlet runs, a servlet that throws):
 * the local API's JSON error instead of the server's HTML page.
 */
@Component(service = Servlet.class, configurationPid = LocalApiConfiguration.HTTP_PID)
@HttpWhiteboardServletName("io.edgeflow.localapi.error-page")
@HttpWhiteboardServletErrorPage(errorPage = {"4xx", "5xx", "java.lang.Throwable"})
public final class ErrorPageServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ErrorPageServlet.class);

    @Override
    protected Map<String, Handler> handlers() {
        return Map.of();
    }

    @Override
    public void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object given = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object thrown = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        int status = given instanceof Integer i && i >= 400 && i <= 599 ? i : 500;
        if (thrown instanceof Throwable t) {
            Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
            String where = printable(uri instanceof String u ? u : request.getRequestURI());
            if (isClientSide(t)) {
                status = 400;
                LOG.debug("Local API {}: the request could not be read: {}", where, t.toString());
            } else {
                // our defect: the one place where a stack trace belongs in the log
                LOG.error("Local API {} failed: {}", where, t.toString(), t);
                status = 500;
            }
        }
        write(response, errorFor(status), "HEAD".equalsIgnoreCase(request.getMethod()));
    }

    /** An exception while reading what the client sent: its connection or its bytes, not our defect. */
    private static boolean isClientSide(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** The JSON error for a status that the HTTP runtime chose. */
    static Reply errorFor(int status) {
        return switch (status) {
            case 400 -> error(400, "invalid_request", "The request is not a valid HTTP request.");
            case 401 -> error(401, "unauthorized", "This endpoint needs authentication.");
            case 403 -> error(403, "forbidden", "This request is not allowed.");
            case 404 -> error(404, "not_found", "No such endpoint. See GET /api/v1/saas/status.");
            case 405 -> error(405, "method_not_allowed", "This method is not allowed here.");
            case 408 -> error(408, "request_timeout", "The request was not received in time.");
            case 411 -> error(411, "length_required", "This request needs a Content-Length.");
            case 413 -> error(413, "body_too_large", "The body is larger than " + MAX_BODY_BYTES + " bytes.");
            case 414 -> error(414, "uri_too_long", "The request URI is longer than " + MAX_URI_CHARS + " characters.");
            case 415 -> error(415, "unsupported_media_type", "Send the body as application/json.");
            case 431 -> error(431, "headers_too_large", "The request headers are larger than " + MAX_HEADER_BYTES
                    + " bytes.");
            case 503 -> error(503, "unavailable", "The local API is not available right now; try again shortly.");
            default -> status < 500 ? error(status, "invalid_request", "The request cannot be answered (HTTP "
                    + status + ").") : error(500, "internal_error",
                            "The agent could not answer this request; see the agent log.");
        };
    }
}
