package io.edgeflow.cloud.dashboard;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;

/**
 * One dashboard request as a page sees it: its path parameters, its query and form fields, the signed-in session,
 * and the ways to answer (a page, a redirect). Every answer carries the dashboard's security headers
 * ({@link #SECURITY_HEADERS}).
 * <p>
 * Threading: belongs to one request; answered once, from whichever thread finishes it.
 */
final class Exchange {
    /**
     * A strict policy: only this origin's own script and style files (no inline script, no eval), no frames of the
     * dashboard anywhere, forms only to itself.
     */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    // Referrer-Policy same-origin, not no-referrer: under no-referrer Chromium sends 'Origin: null' with the
    // dashboard's own form posts, which the same-origin check refuses
    static final Map<String, String> SECURITY_HEADERS = Map.of("Content-Security-Policy", CSP,
            "X-Content-Type-Options", "nosniff", "X-Frame-Options", "DENY", "Referrer-Policy", "same-origin",
            "Cross-Origin-Opener-Policy", "same-origin");

    final Request request;
    final Response response;
    final Callback callback;
    final Map<String, String> params;
    /** The signed-in session, or null on the pages open to everyone. */
    final Sessions.Session session;
    private final TemplateEngine templates;
    /** The form fields of a POST, once read. */
    Fields form = new Fields();

    Exchange(Request request, Response response, Callback callback, Map<String, String> params,
            Sessions.Session session, TemplateEngine templates) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.params = params;
        this.session = session;
        this.templates = templates;
    }

    String param(String name) {
        return params.get(name);
    }

    /** @return a query parameter, or "" when absent */
    String query(String name) {
        Fields.Field f = Request.extractQueryParameters(request, StandardCharsets.UTF_8).get(name);
        return f == null || f.getValue() == null ? "" : f.getValue();
    }

    /** @return a form field, or "" when absent */
    String form(String name) {
        Fields.Field f = form.get(name);
        return f == null || f.getValue() == null ? "" : f.getValue();
    }

    /** @return true for a request htmx sent (it wants a fragment, not a page) */
    boolean htmx() {
        return "true".equals(request.getHeaders().get("HX-Request"));
    }

    /** @return the Chrome of a signed-in page */
    PageModels.Chrome chrome(String title, String active) {
        return new PageModels.Chrome(title, active, session == null ? null : session.csrfToken());
    }

    /** Renders a template as the answer, with the given status. */
    void render(int status, String template, Map<String, Object> model) {
        Utf8ByteOutput out = new Utf8ByteOutput();
        templates.render(template, model, out);
        send(status, "text/html; charset=utf-8", out.toByteArray());
    }

    /** Answers with bytes of the given type, not stored by any cache. */
    void send(int status, String contentType, byte[] body) {
        response.setStatus(status);
        headers();
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        boolean head = "HEAD".equals(request.getMethod());
        response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
    }

    /** A 303 to a path of this dashboard (after a POST: the browser follows with a GET). */
    void redirect(String path) {
        response.setStatus(303);
        headers();
        response.getHeaders().put(HttpHeader.LOCATION, path);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        response.write(true, null, callback);
    }

    private void headers() {
        SECURITY_HEADERS.forEach((name, value) -> response.getHeaders().put(name, value));
    }
}
