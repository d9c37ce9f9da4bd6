package io.edgeflow.cloud.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.TestCloud;

/**
 * The dashboard over HTTP, as a browser meets it (the browser tests in itests drive a real Chromium): signing in and
 * out, the session cookie's attributes and expiry, the CSRF token and the origin check on every change, the security
 * headers, escaping of what devices report, the paged and searched device list, Add Device.
 */
class DashboardTest {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final Pattern CODE = Pattern.compile("<output id=\"code\">(PROV-[0-9A-Z]{4}-[0-9A-Z]{4})</output>");

    @TempDir
    static Path dir;
    static TestCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static HttpResponse<String> send(String method, String path, String cookie, String form,
            String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cloud.url() + path)).timeout(Duration.ofSeconds(20));
        if (cookie != null) {
            b.header("Cookie", Dashboard.COOKIE + "=" + cookie);
        }
        if (form != null) {
            b.header("Content-Type", "application/x-www-form-urlencoded");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        b.method(method, form == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(form));
        return cloud.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String form(String... namesAndValues) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            b.append(b.length() == 0 ? "" : "&").append(namesAndValues[i]).append('=')
                    .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    /** Signs in; returns the session cookie's value. */
    private static String signIn() throws Exception {
        HttpResponse<String> r = send("POST", "/dashboard/sign-in", null, form("token", cloud.adminToken));
        assertThat(r.statusCode()).isEqualTo(303);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }

    private static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).as("a CSRF field in the page").isTrue();
        return m.group(1);
    }

    @Test
    void signedOutPagesGoToSignInAndOnlyTheAdminTokenSignsIn() throws Exception {
        for (String path : new String[] {"/dashboard", "/dashboard/", "/dashboard/devices", "/dashboard/devices/new",
                "/dashboard/codes", "/dashboard/audit", "/dashboard/devices/dev_x"}) {
            HttpResponse<String> r = send("GET", path, null, null);
            assertThat(r.statusCode()).as(path).isEqualTo(303);
            assertThat(r.headers().firstValue("Location")).as(path).contains("/dashboard/sign-in");
        }
        // htmx polling a fragment is told where to go
        HttpResponse<String> poll = send("GET", "/dashboard/devices/table", null, null, "HX-Request", "true");
        assertThat(poll.statusCode()).isEqualTo(401);
        assertThat(poll.headers().firstValue("HX-Redirect")).contains("/dashboard/sign-in");
        // a change while signed out changes nothing
        int before = codes();
        HttpResponse<String> change = send("POST", "/dashboard/devices/new", null, form("ttl", "1h"));
        assertThat(change.statusCode()).isEqualTo(303);
        assertThat(codes()).isEqualTo(before);

        HttpResponse<String> page = send("GET", "/dashboard/sign-in", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Admin token");
        HttpResponse<String> wrong = send("POST", "/dashboard/sign-in", null, form("token", "not-the-token"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(wrong.body()).contains("That is not this cloud's admin token");

        HttpResponse<String> right = send("POST", "/dashboard/sign-in", null, form("token", cloud.adminToken));
        assertThat(right.statusCode()).isEqualTo(303);
        assertThat(right.headers().firstValue("Location")).contains("/dashboard/devices");
        String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith(Dashboard.COOKIE + "=").contains("; Path=/").contains("; Secure")
                .contains("; HttpOnly").contains("; SameSite=Strict").doesNotContain("Domain");
        assertThat(cookie).doesNotContain(cloud.adminToken);
    }

    @Test
    void pagesCarryAStrictContentSecurityPolicy() throws Exception {
        String session = signIn();
        for (String path : new String[] {"/dashboard/devices", "/dashboard/sign-in", "/dashboard/nothing-here"}) {
            HttpResponse<String> r = send("GET", path, session, null);
            String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp).as(path).contains("frame-ancestors 'none'").contains("script-src 'self'")
                    .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        }
        assertThat(send("GET", "/dashboard/nothing-here", session, null).statusCode()).isEqualTo(404);
        HttpResponse<String> put = send("PUT", "/dashboard/devices/new", session, null);
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).contains("GET, POST");
        // no inline script anywhere: every script is a file of this origin
        String page = send("GET", "/dashboard/devices", session, null).body();
        assertThat(page).doesNotContainPattern("<script(?![^>]*src=\"/dashboard/assets/)");
        assertThat(page).doesNotContain(" onclick=").doesNotContain(" onload=");
        // htmx comes from its webjar, served here (no CDN)
        HttpResponse<String> htmx = send("GET", "/dashboard/assets/htmx.min.js", null, null);
        assertThat(htmx.statusCode()).isEqualTo(200);
        assertThat(htmx.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("text/javascript"));
        assertThat(htmx.body()).contains("htmx");
        assertThat(send("GET", "/dashboard/assets/../admin-token", null, null).statusCode()).isNotEqualTo(200);
    }

    @Test
    void aChangeWithoutTheCsrfTokenOrFromAnotherOriginIsRefused() throws Exception {
        String session = signIn();
        String token = csrf(send("GET", "/dashboard/devices/new", session, null).body());
        int codesBefore = codes();

        HttpResponse<String> none = send("POST", "/dashboard/devices/new", session, form("ttl", "1h"));
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(none.body()).contains("CSRF token");
        HttpResponse<String> wrong = send("POST", "/dashboard/devices/new", session, form("ttl", "1h", "csrf",
                token + "x"));
        assertThat(wrong.statusCode()).isEqualTo(403);
        HttpResponse<String> otherSession = send("POST", "/dashboard/devices/new", signIn(), form("ttl", "1h", "csrf",
                token));
        assertThat(otherSession.statusCode()).isEqualTo(403);
        HttpResponse<String> crossSite = send("POST", "/dashboard/devices/new", session, form("ttl", "1h", "csrf",
                token), "Origin", "https://evil.example");
        assertThat(crossSite.statusCode()).isEqualTo(403);
        HttpResponse<String> fetchSite = send("POST", "/dashboard/devices/new", session, form("ttl", "1h", "csrf",
                token), "Sec-Fetch-Site", "cross-site");
        assertThat(fetchSite.statusCode()).isEqualTo(403);
        assertThat(codes()).as("no code was created").isEqualTo(codesBefore);

        // htmx sends the token as a header
        HttpResponse<String> header = send("POST", "/dashboard/devices/new", session, form("ttl", "1h"),
                "X-CSRF-Token", token);
        assertThat(header.statusCode()).isEqualTo(200);
        assertThat(codes()).isEqualTo(codesBefore + 1);
    }

    private static int codes() throws Exception {
        return cloud.admin("GET", "/api/v1/admin/provisioning-codes?limit=1000", null).body()
                .get("provisioning_codes").size();
    }

    @Test
    void addDeviceShowsTheCodeOnceWithTheEnvFile() throws Exception {
        String session = signIn();
        String token = csrf(send("GET", "/dashboard/devices/new", session, null).body());
        HttpResponse<String> bad = send("POST", "/dashboard/devices/new", session, form("ttl", "soon", "csrf", token));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("'soon' is not a duration");
        HttpResponse<String> tooLong = send("POST", "/dashboard/devices/new", session, form("ttl", "400d", "csrf",
                token));
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("ttl_seconds");

        HttpResponse<String> created = send("POST", "/dashboard/devices/new", session, form("ttl", "2h", "label",
                "line <3>", "csrf", token));
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.headers().firstValue("Cache-Control")).contains("no-store");
        Matcher m = CODE.matcher(created.body());
        assertThat(m.find()).as(created.body()).isTrue();
        String code = m.group(1);
        String host = URI.create(cloud.url()).getHost() + ":" + URI.create(cloud.url()).getPort();
        assertThat(created.body()).contains("# /etc/edgeflow/.env\nEDGEFLOW_SAAS_ENABLED=true\nEDGEFLOW_SAAS_URL="
                + host + "\nEDGEFLOW_PROVISIONING_CODE=" + code + "\nEDGEFLOW_SAAS_CA_FILE="
                + cloud.dataDir.resolve("ca.pem").toAbsolutePath() + "\n");
        assertThat(created.body()).contains("line &lt;3&gt;");
        // the code works, and is never shown again: the Codes page masks it
        assertThat(cloud.register(code, UUID.randomUUID().toString()).status()).isEqualTo(201);
        String codes = send("GET", "/dashboard/codes", session, null).body();
        assertThat(codes).doesNotContain(code).contains("PROV-****-" + code.substring(10));
    }

    @Test
    void preProvisionedCredentialsAreShownOnceWithTheirEnvFileAndWork() throws Exception {
        String session = signIn();
        String token = csrf(send("GET", "/dashboard/devices/new", session, null).body());
        HttpResponse<String> bad = send("POST", "/dashboard/devices/credentials", session, form("key_ttl", "forever",
                "csrf", token));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("Key lifetime: 'forever'");
        HttpResponse<String> refused = send("POST", "/dashboard/devices/credentials", session, form("key_label", "x"));
        assertThat(refused.statusCode()).isEqualTo(403);

        HttpResponse<String> created = send("POST", "/dashboard/devices/credentials", session, form("key_label",
                "gateway 2", "key_ttl", "30d", "csrf", token));
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.headers().firstValue("Cache-Control")).contains("no-store");
        Matcher id = Pattern.compile("<code id=\"device-id\">(dev_[0-9a-z]+)</code>").matcher(created.body());
        Matcher key = Pattern.compile("<code id=\"api-key\">(efk_[0-9a-z]+)</code>").matcher(created.body());
        assertThat(id.find()).isTrue();
        assertThat(key.find()).isTrue();
        String host = URI.create(cloud.url()).getHost() + ":" + URI.create(cloud.url()).getPort();
        assertThat(created.body()).contains("# /etc/edgeflow/.env\nEDGEFLOW_SAAS_ENABLED=true\nEDGEFLOW_SAAS_URL="
                + host + "\nEDGEFLOW_DEVICE_ID=" + id.group(1) + "\nEDGEFLOW_API_KEY=" + key.group(1)
                + "\nEDGEFLOW_SAAS_CA_FILE=" + cloud.dataDir.resolve("ca.pem").toAbsolutePath() + "\n");
        // the key works, the device is pending until it uses it, and no page shows the key again
        assertThat(cloud.call("GET", "/api/v1/devices/" + id.group(1), null, key.group(1)).status()).isEqualTo(200);
        String list = send("GET", "/dashboard/devices?q=" + id.group(1), session, null).body();
        assertThat(list).contains(id.group(1)).doesNotContain(key.group(1));
        assertThat(send("GET", "/dashboard/devices/" + id.group(1), session, null).body()).doesNotContain(key.group(1));
    }

    @Test
    void whatADeviceReportsIsShownAsTextNeverRun() throws Exception {
        String code = cloud.createCode();
        Map<String, Object> registration = TestCloud.registration(code, UUID.randomUUID().toString());
        registration.put("network", Map.of("hostname", "<script>alert(1)</script>"));
        registration.put("hardware", Map.of("board_model", "\"><img src=x onerror=alert(2)>"));
        TestCloud.Answer device = cloud.call("POST", "/api/v1/devices/register", registration, null);
        assertThat(device.status()).isEqualTo(201);
        String id = device.text("device_id");
        String session = signIn();
        for (String path : new String[] {"/dashboard/devices?q=" + id, "/dashboard/devices/" + id,
                "/dashboard/devices/table?q=" + id}) {
            String page = send("GET", path, session, null).body();
            assertThat(page).as(path).contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                    .doesNotContain("<script>alert(1)").doesNotContain("<img src=x");
        }
    }

    @Test
    void devicesArePagedAndSearchedAndSignOutEndsTheSession() throws Exception {
        for (int i = 0; i < 55; i++) {
            Map<String, Object> r = TestCloud.registration(cloud.createCode(), UUID.randomUUID().toString());
            r.put("network", Map.of("hostname", "paging-host-" + i));
            assertThat(cloud.call("POST", "/api/v1/devices/register", r, null).status()).isEqualTo(201);
            cloud.clock.advance(Duration.ofSeconds(1)); // newest first: each registered a second after the last
        }
        String session = signIn();
        String first = send("GET", "/dashboard/devices?q=paging-host", session, null).body();
        assertThat(first).contains("1–50 of 55").contains("paging-host-54").doesNotContain("paging-host-4<");
        assertThat(first).contains("href=\"/dashboard/devices?q=paging-host&amp;page=2\"");
        String second = send("GET", "/dashboard/devices?q=paging-host&page=2", session, null).body();
        assertThat(second).contains("51–55 of 55").contains("paging-host-0<").doesNotContain("paging-host-54");
        assertThat(send("GET", "/dashboard/devices?q=PAGING-HOST-17", session, null).body()).contains("1–1 of 1");
        assertThat(send("GET", "/dashboard/devices?q=%25", session, null).body()).contains("0–0 of 0");
        assertThat(send("GET", "/dashboard/devices?q=paging-host&status=pending", session, null).body())
                .contains("1–50 of 55");
        assertThat(send("GET", "/dashboard/devices?q=paging-host&status=revoked", session, null).body())
                .contains("0–0 of 0");
        assertThat(send("GET", "/dashboard/devices?status=bogus", session, null).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/dashboard/devices?page=0", session, null).statusCode()).isEqualTo(400);

        String token = csrf(first);
        HttpResponse<String> out = send("POST", "/dashboard/sign-out", session, form("csrf", token));
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).contains("Max-Age=0"));
        assertThat(send("GET", "/dashboard/devices", session, null).statusCode()).isEqualTo(303);
    }

    @Test
    void aSessionEndsAfterHalfAnHourIdle() throws Exception {
        String session = signIn();
        assertThat(send("GET", "/dashboard/devices", session, null).statusCode()).isEqualTo(200);
        cloud.clock.advance(Dashboard.IDLE_TIMEOUT.minusMinutes(1));
        assertThat(send("GET", "/dashboard/devices", session, null).statusCode()).isEqualTo(200);
        cloud.clock.advance(Dashboard.IDLE_TIMEOUT);
        assertThat(send("GET", "/dashboard/devices", session, null).statusCode()).isEqualTo(303);
    }
}
