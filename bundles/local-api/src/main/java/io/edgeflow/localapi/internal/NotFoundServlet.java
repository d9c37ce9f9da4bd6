package io.edgeflow.localapi.internal;

import java.util.Map;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.edgeflow.http.json.ApiError;
import io.edgeflow.http.json.JsonServlet;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Answers every path that no other servlet serves with a JSON 404, whatever the method: under {@code /api/}
 * and, as the default servlet ({@code /}) of the default context, everywhere else. More specific whiteboard
 * patterns win over these.
 */
@Component(service = Servlet.class, configurationPid = LocalApiConfiguration.HTTP_PID)
@HttpWhiteboardServletName("io.edgeflow.localapi.not-found")
@HttpWhiteboardServletPattern({"/api/v1/*", "/api/*", "/"})
public final class NotFoundServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected Map<String, Handler> handlers() {
        return Map.of();
    }

    @Override
    protected Reply answer(HttpServletRequest request, HttpServletResponse response, String method) throws ApiError {
        throw new ApiError(404, "not_found", "No such endpoint: " + printable(request.getRequestURI())
                + ". See GET /api/v1/saas/status.");
    }
}
