package io.edgeflow.cloud.dashboard;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.MatchedResource;
import org.eclipse.jetty.http.pathmap.PathMappings;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import io.edgeflow.cloud.LogText;
import io.edgeflow.cloud.admin.AdminTokens;
import io.edgeflow.cloud.provisioning.CloudError;
import io.edgeflow.cloud.provisioning.ProvisioningService;
import io.edgeflow.cloud.store.Database;
import io.edgeflow.cloud.tunnel.TunnelHub;
import io.edgeflow.cloud.updates.Artifacts;
import io.edgeflow.cloud.updates.Rollouts;

/**
 * The cloud's dashboard under {@code /dashboard/}: server-rendered pages (JTE templates, precompiled), htmx for the
 * live parts, served by the cloud's own Jetty beside the API; every other path goes on to the API.
 * <p>
 * Security: signing in with the admin token starts a session (a {@code __Host-} cookie: {@code Secure},
 * {@code HttpOnly}, {@code SameSite=Strict}; it ends after {@link #IDLE_TIMEOUT} idle, {@link #MAX_AGE} at most, or at
 * sign-out). Every change is a POST that carries the session's CSRF token (a form field, or the
 * {@code X-CSRF-Token} header htmx sends) and comes from this origin; anything else is a 403. Pages answer with a
 * strict Content-Security-Policy ({@link Exchange#CSP}). A signed-out browser is sent to the sign-in page.
 * <p>
 * Threading: one instance serves every request at once; its route table is fixed at construction.
 */
public final class Dashboard extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    static final String ROOT = "/dashboard";
    static final String SIGN_IN = ROOT + "/sign-in";
    /** {@code __Host-}: the browser takes it only over HTTPS, for this host and path {@code /}, never a domain. */
    static final String COOKIE = "__Host-edgeflow-session";
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);
    static final Duration MAX_AGE = Duration.ofHours(12);
    private static final int MAX_FORM_FIELDS = 20;
    private static final int MAX_FORM_BYTES = 16 * 1024;

    /** A page: answers the exchange exactly once, now or later (a device's answer through its tunnel). */
    @FunctionalInterface
    interface Page {
        void serve(Exchange x) throws CloudError;
    }

    /** @param open true for the pages a signed-out browser may see (sign-in, the style sheet, the scripts) */
    private record Route(Page page, boolean open) {
    }

    private final PathMappings<Map<String, Route>> routes = new PathMappings<>();
    private final TemplateEngine templates = TemplateEngine.createPrecompiled(null, ContentType.Html,
            Dashboard.class.getClassLoader(), "io.edgeflow.cloud.dashboard.templates");
    private final Sessions sessions;
    private final AdminTokens adminTokens;

    /**
     * What the dashboard takes from the server beside its services.
     *
     * @param caFile the local CA file agents trust, or null when the cloud serves the operator's certificate
     * @param clock the server's clock (sessions expire by it)
     * @param random the source of session identifiers and CSRF tokens
     * @param artifacts the stored artifacts (remote updates)
     * @param rollouts the deployments (remote updates)
     * @param sharedSessions the store the nodes share, where sessions are kept with several nodes; null: in memory
     */
    public record Setting(Path caFile, Clock clock, SecureRandom random, Artifacts artifacts, Rollouts rollouts,
            Database sharedSessions) {
        /** A single node's setting: the sessions are kept in memory. */
        public Setting(Path caFile, Clock clock, SecureRandom random, Artifacts artifacts, Rollouts rollouts) {
            this(caFile, clock, random, artifacts, rollouts, null);
        }
    }

    /**
     * @param next the handler of every other path (the API)
     * @param service the provisioning rules (codes, devices, audit)
     * @param adminTokens what signing in is checked against
     * @param tunnels the devices' tunnels (presence, live facts)
     * @param setting the CA file, the clock, the random source
     */
    public Dashboard(Handler next, ProvisioningService service, AdminTokens adminTokens, TunnelHub tunnels,
            Setting setting) {
        super(next);
        Path caFile = setting.caFile();
        this.adminTokens = adminTokens;
        this.sessions = new Sessions(setting.clock(), setting.random(), IDLE_TIMEOUT, MAX_AGE,
                setting.sharedSessions());
        Assets assets = new Assets(caFile);
        add("GET", ROOT, x -> x.redirect(ROOT + "/devices"), false);
        add("GET", ROOT + "/assets/{name}", assets::serve, true);
        add("GET", SIGN_IN, this::signInPage, true);
        add("POST", SIGN_IN, this::signIn, true);
        add("POST", ROOT + "/sign-out", this::signOut, false);
        new DevicePages(service, tunnels, caFile).addTo(this);
        new AuditPages(service).addTo(this);
        new UpdatePages(setting.artifacts(), setting.rollouts()).addTo(this);
    }

    /** Adds a page: {@code open} ones are served signed out too. */
    void add(String method, String template, Page page, boolean open) {
        UriTemplatePathSpec spec = new UriTemplatePathSpec(template);
        Map<String, Route> byMethod = routes.get(spec);
        if (byMethod == null) {
            byMethod = new LinkedHashMap<>();
            routes.put(spec, byMethod);
        }
        byMethod.put(method, new Route(page, open));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (!path.equals(ROOT) && !path.startsWith(ROOT + "/")) {
            return super.handle(request, response, callback);
        }
        String p = path.length() > ROOT.length() + 1 && path.endsWith("/") ? path.substring(0, path.length() - 1)
                : path.equals(ROOT + "/") ? ROOT : path;
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        Optional<Sessions.Session> session = sessions.find(cookie(request));
        Route route = null;
        Map<String, String> params = Map.of();
        java.util.Set<String> allowed = new java.util.TreeSet<>();
        for (MatchedResource<Map<String, Route>> m : routes.getMatchedList(p)) {
            route = m.getResource().get("HEAD".equals(method) ? "GET" : method);
            if (route != null) {
                params = ((UriTemplatePathSpec) m.getPathSpec()).getPathParams(p);
                break;
            }
            allowed.addAll(m.getResource().keySet());
        }
        Exchange x = new Exchange(request, response, callback, params, session.orElse(null), templates);
        if (route == null && !allowed.isEmpty()) {
            response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", allowed));
            error(x, 405, "This page takes " + String.join(" or ", allowed) + ", not " + LogText.of(method) + ".");
        } else if (route == null) {
            error(x, 404, "There is no such page in the dashboard.");
        } else if (!route.open() && session.isEmpty()) {
            toSignIn(x);
        } else if ("POST".equals(method)) {
            readFormThenServe(x, route);
        } else {
            serve(x, route);
        }
        return true;
    }

    private static String cookie(Request request) {
        for (HttpCookie c : Request.getCookies(request)) {
            if (COOKIE.equals(c.getName())) {
                return c.getValue();
            }
        }
        return null;
    }

    /** A signed-out browser goes to the sign-in page; htmx, polling a fragment, is told to go there. */
    private static void toSignIn(Exchange x) {
        if (x.htmx()) {
            x.response.getHeaders().put("HX-Redirect", SIGN_IN);
            x.send(401, "text/plain; charset=utf-8", "Signed out.".getBytes(StandardCharsets.UTF_8));
        } else {
            x.redirect(SIGN_IN);
        }
    }

    /** Checks where a change comes from, reads its form, checks its CSRF token, then serves it. */
    private void readFormThenServe(Exchange x, Route route) {
        String refusal = crossOrigin(x.request);
        if (refusal != null) {
            error(x, 403, refusal);
            return;
        }
        String type = x.request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        boolean form = type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
        if (!form && x.request.getLength() != 0) {
            error(x, 415, "The dashboard takes forms (application/x-www-form-urlencoded) only.");
            return;
        }
        // BLOCKING: the page then runs (a database transaction) on the thread that finished reading the form
        FormFields.onFields(x.request, StandardCharsets.UTF_8, MAX_FORM_FIELDS, MAX_FORM_BYTES, Promise.Invocable.from(
                Invocable.InvocationType.BLOCKING, (fields, failure) -> {
                    if (failure != null) {
                        error(x, 400, "The form could not be read: it is too large or not a form.");
                        return;
                    }
                    x.form = fields;
                    if (!route.open() && !x.session.csrfMatches(csrfOf(x))) {
                        error(x, 403, "This change did not carry the dashboard's CSRF token (a stale page, or a "
                                + "request not sent by the dashboard). Reload the page and try again.");
                        return;
                    }
                    serve(x, route);
                }));
    }

    private static String csrfOf(Exchange x) {
        String header = x.request.getHeaders().get("X-CSRF-Token");
        return header != null ? header : x.form("csrf");
    }

    /**
     * @return why a POST is refused as coming from another site (its {@code Origin}, or the browser's
     *         {@code Sec-Fetch-Site}), or null
     */
    static String crossOrigin(Request request) {
        String site = request.getHeaders().get("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return "Changes are taken only from the dashboard's own pages (Sec-Fetch-Site: " + LogText.of(site) + ").";
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null) {
            String own = request.getHttpURI().getScheme() + "://" + request.getHttpURI().getAuthority();
            if (!origin.equalsIgnoreCase(own)) {
                return "Changes are taken only from the dashboard's own pages, not from " + LogText.of(origin) + ".";
            }
        }
        return null;
    }

    private void serve(Exchange x, Route route) {
        try {
            route.page().serve(x);
        } catch (CloudError e) {
            error(x, e.status(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed: {}", x.request.getMethod(), LogText.of(Request.getPathInContext(x.request)),
                    LogText.of(e), e);
            error(x, 500, "The dashboard could not show this page; see the cloud's log.");
        }
    }

    /** An error page (or, for htmx, the message alone) with the given status. */
    static void error(Exchange x, int status, String message) {
        if (x.htmx()) {
            x.send(status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
            return;
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("chrome", x.chrome("Error " + status, ""));
        model.put("status", status);
        model.put("message", message);
        x.render(status, "error.jte", model);
    }

    private void signInPage(Exchange x) {
        if (x.session != null) {
            x.redirect(ROOT + "/devices");
            return;
        }
        signInForm(x, 200, null);
    }

    private void signInForm(Exchange x, int status, String problem) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("chrome", new PageModels.Chrome("Sign in", "", null));
        model.put("problem", problem);
        x.render(status, "signIn.jte", model);
    }

    private void signIn(Exchange x) {
        String token = x.form("token").strip();
        if (token.isEmpty() || !adminTokens.accepts("Bearer " + token)) {
            signInForm(x, 401, "That is not this cloud's admin token. It is in <data-dir>/" + AdminTokens.FILE_NAME
                    + " when the cloud first starts (serve --new-admin-token makes a new one).");
            return;
        }
        if (x.session != null) {
            sessions.end(cookie(x.request));
        }
        Sessions.Started started = sessions.start();
        x.response.getHeaders().add(HttpHeader.SET_COOKIE, COOKIE + "=" + started.cookieValue()
                + "; Path=/; Max-Age=" + MAX_AGE.toSeconds() + "; Secure; HttpOnly; SameSite=Strict");
        x.redirect(ROOT + "/devices");
    }

    private void signOut(Exchange x) {
        sessions.end(cookie(x.request));
        x.response.getHeaders().add(HttpHeader.SET_COOKIE, COOKIE + "=; Path=/; Max-Age=0; Secure; HttpOnly; "
                + "SameSite=Strict");
        x.redirect(SIGN_IN);
    }
}
