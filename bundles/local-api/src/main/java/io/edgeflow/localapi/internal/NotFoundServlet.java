package io.edgeflow.localapi.internal;

import java.io.IOException;
import java.util.Map;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Answers every path under {@code /api/} that no other servlet serves with a JSON 404, whatever the
 * method. More specific whiteboard patterns win over this one.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/v1/*", "/api/*"})
public final class NotFoundServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    @Override
    Map<String, Handler> handlers() {
        return Map.of();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        drainUnreadBody(request, response);
        write(response, error(404, "not_found", "No such endpoint: " + printable(request.getRequestURI())
                + ". See GET /api/v1/saas/status."), "HEAD".equalsIgnoreCase(request.getMethod()));
    }

    private static String printable(String uri) {
        String s = uri == null ? "" : uri;
        if (s.length() > 200) {
            s = s.substring(0, 200) + "…";
        }
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
