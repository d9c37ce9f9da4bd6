package io.edgeflow.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's Artifacts and Rollouts pages over HTTP: a signed artifact is listed and offered for a rollout, a
 * rollout created in the dashboard runs over the device named, its page shows the device's state, and Cancel cancels
 * it; a bad rollout is answered with the service's message, never a 500.
 */
class DashboardUpdatesTest {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    @TempDir
    static Path dir;
    static TestCloud cloud;
    static String sha;
    static String session;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud(dir.resolve("data"));
        sha = cloud.uploadSigned(Bundles.jar("io.edgeflow.example", "1.2.3"), Bundles.keyPair());
        HttpResponse<String> in = send("POST", "/dashboard/sign-in", null, "token=" + cloud.adminToken);
        String cookie = in.headers().firstValue("Set-Cookie").orElseThrow();
        session = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static HttpResponse<String> send(String method, String path, String cookie, String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cloud.url() + path)).timeout(Duration.ofSeconds(20));
        if (cookie != null) {
            b.header("Cookie", "__Host-edgeflow-session=" + cookie);
        }
        if (form != null) {
            b.header("Content-Type", "application/x-www-form-urlencoded");
        }
        b.method(method, form == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(form));
        return cloud.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void aRolloutCreatedInTheDashboardIsWatchedAndCancelled() throws Exception {
        // an active device (registered and confirmed), offline: its rollout waits for it
        TestCloud.Answer registered = cloud.register(cloud.createCode(), UUID.randomUUID().toString());
        String device = registered.text("device_id");
        assertThat(cloud.confirm(device, registered.text("api_key")).status()).isEqualTo(200);

        String artifacts = send("GET", "/dashboard/artifacts", session, null).body();
        assertThat(artifacts).contains("io.edgeflow.example").contains("1.2.3").contains("1 signed");
        String page = send("GET", "/dashboard/rollouts", session, null).body();
        assertThat(page).contains("<option value=\"" + sha + "\">");
        String token = csrf(page);

        HttpResponse<String> bad = send("POST", "/dashboard/rollouts", session, "csrf=" + enc(token)
                + "&action=update&artifact=" + sha + "&devices=dev_nosuchdevice&waves=100%25&max_failures=0"
                + "&health_timeout=60");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("dev_nosuchdevice");

        HttpResponse<String> created = send("POST", "/dashboard/rollouts", session, "csrf=" + enc(token)
                + "&action=update&artifact=" + sha + "&devices=" + device + "&waves=" + enc("1,100%")
                + "&max_failures=0&health_timeout=60");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(303);
        String location = created.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("/dashboard/rollouts/dep_");
        String rollout = send("GET", location, session, null).body();
        assertThat(rollout).contains("id=\"rollout-state\">running<").contains(device).contains(">pending<");
        assertThat(send("GET", location + "/devices", session, null).body()).contains("hx-trigger=\"every 3s\"");

        HttpResponse<String> noToken = send("POST", location + "/cancel", session, "");
        assertThat(noToken.statusCode()).isEqualTo(403);
        HttpResponse<String> cancel = send("POST", location + "/cancel", session, "csrf=" + enc(token));
        assertThat(cancel.statusCode()).isEqualTo(303);
        assertThat(send("GET", location, session, null).body()).contains("id=\"rollout-state\">cancelled<")
                .doesNotContain("id=\"cancel\"");
        assertThat(cloud.admin("GET", "/api/v1/admin/deployments/" + location.substring(location.lastIndexOf('/') + 1),
                null).text("state")).isEqualTo("cancelled");
    }
}
