package io.edgeflow.localapi.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.servlet.Servlet;

import io.edgeflow.api.status.SaasState;
import io.edgeflow.api.status.SaasStatus;
import io.edgeflow.api.status.SaasStatusProvider;
import io.edgeflow.api.status.StatusError;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Serves {@code GET /api/v1/saas/status}: the link to the cloud as the highest-ranked
 * {@link SaasStatusProvider} reports it. With no provider running, the SaaS configuration alone
 * decides: {@code disabled} or {@code unprovisioned}.
 */
@Component(service = Servlet.class, configurationPid = StatusServlet.SAAS_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@HttpWhiteboardServletPattern("/api/v1/saas/status")
public final class StatusServlet extends JsonServlet {
    static final String SAAS_PID = "io.edgeflow.saas";
    private static final long serialVersionUID = 1L;

    /** The part of the SaaS configuration this servlet reads; its metatype lives in the config bundle. */
    @interface SaasSettings {
        boolean enabled() default false;

        String url() default "saas.edgx.cloud:443";
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SaasStatusProvider provider;

    private volatile SaasSettings settings;

    /**
     * @param settings the SaaS configuration
     */
    @Activate
    public StatusServlet(SaasSettings settings) {
        this.settings = settings;
    }

    @Modified
    void modified(SaasSettings settings) {
        this.settings = settings;
    }

    @Override
    Map<String, Handler> handlers() {
        return Map.of("GET", request -> new Reply(200, toJson(currentStatus())));
    }

    SaasStatus currentStatus() {
        SaasStatusProvider current = provider;
        if (current != null) {
            return current.status();
        }
        SaasSettings config = settings;
        return new SaasStatus(false, null, config.enabled() ? SaasState.UNPROVISIONED : SaasState.DISABLED, null,
                null, config.url(), null, null);
    }

    /**
     * The JSON shape of the product documentation ({@code connected}, {@code device_id}, {@code status},
     * {@code last_heartbeat}), then {@code error}, {@code saas_url}, {@code credentials_expire_at} and
     * {@code clock_skew_seconds}.
     */
    static Map<String, Object> toJson(SaasStatus status) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("connected", status.connected());
        json.put("device_id", status.deviceId());
        json.put("status", status.state().wireName());
        json.put("last_heartbeat", timestamp(status.lastHeartbeat()));
        StatusError error = status.error();
        if (error == null) {
            json.put("error", null);
        } else {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("code", error.code());
            e.put("message", error.message());
            e.put("since", timestamp(error.since()));
            json.put("error", e);
        }
        json.put("saas_url", status.saasUrl());
        json.put("credentials_expire_at", timestamp(status.credentialsExpireAt()));
        json.put("clock_skew_seconds", status.clockSkewSeconds());
        return json;
    }

    private static String timestamp(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
