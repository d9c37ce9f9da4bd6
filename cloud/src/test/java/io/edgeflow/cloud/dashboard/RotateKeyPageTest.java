package io.edgeflow.cloud.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.cloud.RotatingDevice;
import io.edgeflow.cloud.TestCloud;

/**
 * "Rotate key" on the device page over HTTP, as a browser sends it (DashboardTest's way): the button while the device
 * is online, the device asked through its tunnel, its answer or its error shown (escaped), a device that reconnects
 * with its new key before it answers, an offline device, the CSRF token, and the admin's request in the audit trail.
 */
class RotateKeyPageTest {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

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

    private static HttpResponse<String> send(String method, String path, String cookie, String form)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cloud.url() + path)).timeout(Duration.ofSeconds(20));
        if (cookie != null) {
            b.header("Cookie", Dashboard.COOKIE + "=" + cookie);
        }
        if (form != null) {
            b.header("Content-Type", "application/x-www-form-urlencoded");
        }
        b.method(method, form == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(form));
        return cloud.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String signIn() throws Exception {
        HttpResponse<String> r = send("POST", "/dashboard/sign-in", null,
                "token=" + URLEncoder.encode(cloud.adminToken, StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(303);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }

    private static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).as("a CSRF field in the page").isTrue();
        return m.group(1);
    }

    /** Presses "Rotate key" on the device's page. */
    private static HttpResponse<String> rotate(String session, String id) throws Exception {
        String page = send("GET", "/dashboard/devices/" + id, session, null).body();
        assertThat(page).contains("id=\"rotate-key\"");
        return send("POST", "/dashboard/devices/" + id + "/rotate-key", session, "csrf=" + csrf(page));
    }

    private static int statusWithKey(String id, String key) throws Exception {
        return cloud.call("GET", "/api/v1/devices/" + id, null, key).status();
    }

    @Test
    void theDeviceRotatesItsKeyAndThePageShowsTheNewExpiry() throws Exception {
        String session = signIn();
        try (RotatingDevice device = RotatingDevice.online(cloud)) {
            String before = device.key();
            HttpResponse<String> r = rotate(session, device.id);

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(device.requests).containsExactly("POST /api/v1/saas/rotate-key");
            assertThat(device.key()).isNotEqualTo(before);
            String expires = cloud.call("GET", "/api/v1/devices/" + device.id, null, device.key()).text("expires_at");
            assertThat(r.body()).contains("id=\"rotation-result\"").contains("Key rotated")
                    .contains("valid until " + expires);
            assertThat(statusWithKey(device.id, before)).as("the previous key").isEqualTo(401);
            assertThat(statusWithKey(device.id, device.key())).isEqualTo(200);
            assertThat(r.body()).doesNotContain(device.key()).doesNotContain(before);
            // the admin's request, and the device's own rotation and confirmation, in its audit trail
            String audit = cloud.admin("GET", "/api/v1/admin/audit?device_id=" + device.id, null).raw().body();
            assertThat(audit).contains("remote_access").contains("POST /api/v1/saas/rotate-key")
                    .contains("key_rotation").contains("rotated key confirmed");
        }
    }

    @Test
    void theDevicesErrorIsShownAsText() throws Exception {
        String session = signIn();
        try (RotatingDevice device = RotatingDevice.online(cloud)) {
            String before = device.key();
            device.behaviour = RotatingDevice.Behaviour.UNREACHABLE;
            HttpResponse<String> r = rotate(session, device.id);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("class=\"problem\"").contains("cloud_unreachable")
                    .contains("at &lt;b&gt;127.0.0.1:1&lt;/b&gt;").doesNotContain("<b>127");
            assertThat(statusWithKey(device.id, before)).isEqualTo(200);
        }
    }

    @Test
    void aDeviceThatReconnectsWithItsNewKeyBeforeAnsweringShowsAsRotated() throws Exception {
        String session = signIn();
        try (RotatingDevice device = RotatingDevice.online(cloud)) {
            String before = device.key();
            device.behaviour = RotatingDevice.Behaviour.ROTATE_AND_RECONNECT;
            HttpResponse<String> r = rotate(session, device.id);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("Key rotated").contains("reconnected its tunnel");
            assertThat(device.key()).isNotEqualTo(before);
        }
    }

    @Test
    void anOfflineDeviceHasNoButtonAndItsRotationIsRefused() throws Exception {
        String session = signIn();
        String id = cloud.provisionDevice().text("device_id");
        String page = send("GET", "/dashboard/devices/" + id, session, null).body();
        assertThat(page).doesNotContain("id=\"rotate-key\"");
        HttpResponse<String> r = send("POST", "/dashboard/devices/" + id + "/rotate-key", session, "csrf=" + csrf(page));
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).contains("The device is offline");
    }

    @Test
    void withoutTheCsrfTokenNothingIsAsked() throws Exception {
        String session = signIn();
        try (RotatingDevice device = RotatingDevice.online(cloud)) {
            HttpResponse<String> r = send("POST", "/dashboard/devices/" + device.id + "/rotate-key", session, "");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(device.requests).isEmpty();
        }
    }
}
