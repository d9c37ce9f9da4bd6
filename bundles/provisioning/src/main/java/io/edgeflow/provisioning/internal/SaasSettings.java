package io.edgeflow.provisioning.internal;

import static io.edgeflow.refusedvalues.RefusedValues.inRange;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import io.edgeflow.api.status.StatusError;

/**
 * The SaaS configuration ({@code io.edgeflow.saas}) read once and checked: what the provisioner acts on. The
 * link's settings (URL, CA file, proxy) are the cloud endpoint bundle's to check: a setting that cannot work
 * does not fail a component, it becomes {@link #problem()}, which the endpoint bundle publishes
 * ({@code CloudLinkProblem}) and the status API shows with a stable code, because the operator reads the
 * status, not the framework's log.
 * <p>
 * Holds secrets (the provisioning code, a pre-provisioned API key): {@link #toString()} shows neither.
 */
final class SaasSettings {
    private final boolean enabled;
    private final String displayUrl;
    private final StatusError problem;
    private final String codeText;
    private final ProvisioningCode code;
    private final String deviceId;
    private final char[] apiKey;
    private final Duration requestTimeout;
    private final Backoff.Policy retry;
    private final List<String> refused;

    private SaasSettings(boolean enabled, String displayUrl, StatusError problem,
            String codeText, ProvisioningCode code, String deviceId, char[] apiKey, Duration requestTimeout,
            Backoff.Policy retry, List<String> refused) {
        this.enabled = enabled;
        this.displayUrl = displayUrl;
        this.problem = problem;
        this.codeText = codeText;
        this.code = code;
        this.deviceId = deviceId;
        this.apiKey = apiKey;
        this.requestTimeout = requestTimeout;
        this.retry = retry;
        this.refused = refused;
    }

    /**
     * @param config the configuration
     * @param linkProblem why the link's settings (URL, CA file, proxy) cannot be used, as the cloud endpoint
     *        bundle publishes it ({@code CloudLinkProblem}), or null
     * @return the checked settings
     */
    static SaasSettings of(SaasConfiguration config, StatusError linkProblem) {
        String url = config.url() == null ? "" : config.url().strip();
        List<String> refused = new ArrayList<>();
        // read by the cloud endpoint bundle; checked here, where the PID's metatype is, to report a refusal once
        inRange(config.connect__timeout__seconds(), 1, 300, "connect_timeout_seconds", 10, refused);
        Duration requestTimeout = Duration.ofSeconds(inRange(config.request__timeout__seconds(), 1, 600,
                "request_timeout_seconds", 30, refused));
        Backoff.Policy retry = new Backoff.Policy(Duration.ofMillis(inRange(config.retry__initial__delay__ms(), 1,
                600_000, "retry_initial_delay_ms", 1000, refused)), Duration.ofSeconds(inRange(
                        config.retry__max__delay__seconds(), 1, 86_400, "retry_max_delay_seconds", 300, refused)));
        String codeText = blankToNull(config._provisioning__code());
        ProvisioningCode code = codeText == null ? null : ProvisioningCode.parse(codeText).orElse(null);
        String deviceId = blankToNull(config.device__id());
        String key = blankToNull(config._api__key());
        char[] apiKey = key == null ? null : key.toCharArray();
        return new SaasSettings(config.enabled(), url, linkProblem, codeText, code, deviceId, apiKey,
                requestTimeout, retry, List.copyOf(refused));
    }

    /** Whether and how the cloud is reached changed. */
    static boolean linkChanged(SaasSettings a, SaasSettings b) {
        return a.enabled() != b.enabled() || !Objects.equals(a.displayUrl(), b.displayUrl())
                || !Objects.equals(a.problem() == null ? null : a.problem().message(),
                        b.problem() == null ? null : b.problem().message());
    }

    /** New credentials or a new code to act on; their removal is not. */
    static boolean credentialsChanged(SaasSettings a, SaasSettings b) {
        if (b.codeText() != null && !Objects.equals(a.codeText(), b.codeText())) {
            return true;
        }
        if (b.deviceId() != null && !Objects.equals(a.deviceId(), b.deviceId())) {
            return true;
        }
        if (b.hasApiKey()) {
            char[] x = a.apiKey();
            char[] y = b.apiKey();
            try {
                return x == null || !Arrays.equals(x, y);
            } finally {
                if (x != null) {
                    Arrays.fill(x, '\0');
                }
                Arrays.fill(y, '\0');
            }
        }
        return false;
    }

    /**
     * @return the numeric values refused (out of their range), each naming the property, the value and the
     *         default used instead; empty when every value is used as given
     */
    List<String> refusedValues() {
        return refused;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** @return true if SaaS is on */
    boolean enabled() {
        return enabled;
    }

    /** @return the URL as configured */
    String displayUrl() {
        return displayUrl;
    }

    /** @return what keeps the settings from working, or null */
    StatusError problem() {
        return problem;
    }

    /** @return true if a provisioning code is set but is not of the code's shape */
    boolean codeMalformed() {
        return codeText != null && code == null;
    }

    /** @return the configured provisioning code, or null (also when malformed) */
    ProvisioningCode code() {
        return code;
    }

    /** @return the configured code as written, or null; a secret */
    String codeText() {
        return codeText;
    }

    /** @return the pre-provisioned Device ID, or null */
    String deviceId() {
        return deviceId;
    }

    /** @return a copy of the pre-provisioned API key, or null; the caller wipes it */
    char[] apiKey() {
        return apiKey == null ? null : apiKey.clone();
    }

    /** @return true if a pre-provisioned API key is configured */
    boolean hasApiKey() {
        return apiKey != null;
    }

    /** @return how long to wait for one answer of the cloud */
    Duration requestTimeout() {
        return requestTimeout;
    }

    /** @return the backoff between retries */
    Backoff.Policy retry() {
        return retry;
    }

    @Override
    public String toString() {
        return "SaasSettings[enabled=" + enabled + ", url=" + displayUrl + ", code="
                + (code != null ? code.masked() : codeText != null ? "(malformed)" : "none") + ", deviceId=" + deviceId
                + ", apiKey=" + (apiKey == null ? "none" : io.edgeflow.api.vault.DeviceCredentials.mask(apiKey))
                + (problem == null ? "" : ", problem=" + problem.code()) + "]";
    }
}
