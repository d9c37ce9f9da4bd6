package io.edgeflow.localapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import javax.servlet.ReadListener;
import javax.servlet.ServletInputStream;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.Test;


import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.provisioning.ProvisioningService;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.http.json.CallerCheck;
import io.edgeflow.http.json.JsonServlet;

/** POST /api/v1/saas/provision with requests built in memory: who may call it, bodies, and the answers. */
class ProvisionServletTest {
    private static final String KEY = "efk_g2dq3f8n0ravz5ff21md4cpvsmsw3q1p5d2btdndb5zya7583nxz";

    private final AtomicReference<String> asked = new AtomicReference<>();
    private ProvisioningService answering(ProvisioningException failure) {
        return new ProvisioningService() {
            @Override
            public DeviceCredentials provision(String code) throws ProvisioningException {
                asked.set(code);
                if (failure != null) {
                    throw failure;
                }
                return new DeviceCredentials("dev_qag0ppqf7b6nhyfs09mf", KEY.toCharArray(),
                        Instant.parse("2027-11-28T16:03:16Z"), "saas.edgx.cloud:443");
            }

            @Override
            public io.edgeflow.api.provisioning.ProvisioningState state() {
                throw new AssertionError("the provision API does not read the state");
            }
        };
    }

    record Answer(int status, Map<String, String> headers, Map<String, Object> body) {
    }

    private static Answer post(ProvisionServlet servlet, String remote, String authorization, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        ServletInputStream stream = new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, len);
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
            }
        };
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(ProvisionServletTest.class
                .getClassLoader(), new Class<?>[] {HttpServletRequest.class}, (p, m, a) -> switch (m.getName()) {
                    case "getMethod" -> "POST";
                    case "getRequestURI" -> "/api/v1/saas/provision";
                    case "getRemoteAddr" -> remote;
                    case "getHeader" -> headers.get((String) a[0]);
                    case "getContentType" -> headers.get("Content-Type");
                    case "getContentLengthLong" -> (long) bytes.length;
                    case "getContentLength" -> bytes.length;
                    case "getInputStream" -> stream;
                    default -> null;
                });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ServletOutputStream output = new ServletOutputStream() {
            @Override
            public void write(int b) {
                out.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }
        };
        int[] status = {0};
        Map<String, String> responseHeaders = new HashMap<>();
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(ProvisionServletTest.class
                .getClassLoader(), new Class<?>[] {HttpServletResponse.class}, (p, m, a) -> {
                    switch (m.getName()) {
                        case "setStatus" -> status[0] = (Integer) a[0];
                        case "setHeader" -> responseHeaders.put((String) a[0], (String) a[1]);
                        case "getOutputStream" -> {
                            return output;
                        }
                        default -> {
                        }
                    }
                    return null;
                });
        servlet.service(request, response);
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) JsonServlet.JSON.read(out.toByteArray());
        return new Answer(status[0], responseHeaders, json);
    }

    @Test
    void provisionsAndShowsTheKeyOnce() throws Exception {
        ProvisionServlet servlet = new ProvisionServlet(new CallerCheck(""), answering(null));
        Answer answer = post(servlet, "127.0.0.1", null, "{\"provisioning_code\": \"PROV-A1B2-C3D4\"}");
        assertThat(answer.status()).isEqualTo(201);
        assertThat(answer.body()).containsExactly(Map.entry("device_id", "dev_qag0ppqf7b6nhyfs09mf"),
                Map.entry("api_key", KEY), Map.entry("expires_at", "2027-11-28T16:03:16Z"));
        assertThat(answer.headers()).containsEntry("Cache-Control", "no-store");
        assertThat(asked.get()).isEqualTo("PROV-A1B2-C3D4");
        assertThat(post(servlet, "::1", null, "{\"provisioning_code\": \"x\"}").status()).isEqualTo(201);
    }

    @Test
    void withoutATokenOnlyLoopbackCallersMayProvision() throws Exception {
        ProvisionServlet servlet = new ProvisionServlet(new CallerCheck(""), answering(null));
        Answer answer = post(servlet, "192.168.1.20", null, "{\"provisioning_code\": \"PROV-A1B2-C3D4\"}");
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).containsEntry("error", "forbidden");
        assertThat(asked.get()).isNull();
        assertThat(CallerCheck.isLoopback("127.0.0.5")).isTrue();
        assertThat(CallerCheck.isLoopback("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(CallerCheck.isLoopback("localhost")).as("never a name lookup").isFalse();
        assertThat(CallerCheck.isLoopback("::ffff:192.168.1.2")).isFalse();
    }

    @Test
    void withATokenEveryCallerNeedsIt() throws Exception {
        ProvisionServlet servlet = new ProvisionServlet(new CallerCheck("s3cret-token"), answering(null));
        String body = "{\"provisioning_code\": \"PROV-A1B2-C3D4\"}";
        Answer missing = post(servlet, "127.0.0.1", null, body);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.headers()).containsEntry("WWW-Authenticate", "Bearer");
        assertThat(missing.body()).containsEntry("error", "unauthorized");
        assertThat(post(servlet, "127.0.0.1", "Bearer wrong", body).status()).isEqualTo(401);
        assertThat(post(servlet, "127.0.0.1", "Basic czNjcmV0LXRva2Vu", body).status()).isEqualTo(401);
        assertThat(asked.get()).isNull();
        assertThat(post(servlet, "192.168.1.20", "Bearer s3cret-token", body).status()).isEqualTo(201);
        assertThat(post(servlet, "127.0.0.1", "bearer s3cret-token", body).status()).isEqualTo(201);
    }

    @Test
    void badBodiesAre400() throws Exception {
        ProvisionServlet servlet = new ProvisionServlet(new CallerCheck(""), answering(null));
        for (String body : new String[] {"{}", "{\"provisioning_code\": 12}", "{\"provisioning_code\": \"\"}",
                "{\"code\": \"PROV-A1B2-C3D4\"}"}) {
            Answer answer = post(servlet, "127.0.0.1", null, body);
            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.body()).as(body).containsEntry("error", "invalid_request");
        }
        assertThat(post(servlet, "127.0.0.1", null, "{not json").body()).containsEntry("error", "invalid_json");
        assertThat(asked.get()).isNull();
    }

    @Test
    void errorsOfTheProvisioningServiceKeepTheirCodeWithAFittingStatus() throws Exception {
        Map<String, Integer> expected = Map.of("code_malformed", 400, "code_invalid", 404, "code_expired", 410,
                "code_consumed", 410, "code_revoked", 410, "code_in_use", 409, "provisioning_in_progress", 409,
                "rate_limited", 429, "cloud_unreachable", 502, "cloud_timeout", 504);
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            ProvisionServlet servlet = new ProvisionServlet(new CallerCheck(""),
                    answering(new ProvisioningException(e.getKey(), "because", false)));
            Answer answer = post(servlet, "127.0.0.1", null, "{\"provisioning_code\": \"PROV-A1B2-C3D4\"}");
            assertThat(answer.status()).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(answer.body()).containsEntry("error", e.getKey()).containsEntry("message", "because");
        }
    }

    @Test
    void theCloudsRetryAfterReachesTheCallerRoundedUpToWholeSeconds() throws Exception {
        Map<java.time.Duration, String> cases = Map.of(java.time.Duration.ofSeconds(42), "42",
                java.time.Duration.ofMillis(1500), "2", java.time.Duration.ZERO, "0");
        for (Map.Entry<java.time.Duration, String> c : cases.entrySet()) {
            ProvisionServlet servlet = new ProvisionServlet(new CallerCheck(""), answering(
                    new ProvisioningException("rate_limited", "Too many attempts.", false, c.getKey())));
            Answer answer = post(servlet, "127.0.0.1", null, "{\"provisioning_code\": \"PROV-A1B2-C3D4\"}");
            assertThat(answer.status()).isEqualTo(429);
            assertThat(answer.headers()).as(c.getKey().toString()).containsEntry("Retry-After", c.getValue());
            assertThat(answer.body()).containsEntry("error", "rate_limited");
        }
        // no Retry-After from the cloud: none invented
        ProvisionServlet servlet = new ProvisionServlet(new CallerCheck(""),
                answering(new ProvisioningException("rate_limited", "Too many attempts.", false)));
        Answer answer = post(servlet, "127.0.0.1", null, "{\"provisioning_code\": \"PROV-A1B2-C3D4\"}");
        assertThat(answer.status()).isEqualTo(429);
        assertThat(answer.headers()).doesNotContainKey("Retry-After");
    }

    @Test
    void withoutTheProvisioningBundleItIs503() throws Exception {
        ProvisionServlet servlet = new ProvisionServlet(new CallerCheck(""), null);
        Answer answer = post(servlet, "127.0.0.1", null, "{\"provisioning_code\": \"PROV-A1B2-C3D4\"}");
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body()).containsEntry("error", "provisioning_unavailable");
    }

}
