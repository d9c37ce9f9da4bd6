package io.edgeflow.update.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import io.edgeflow.api.tunnel.TunnelService;
import io.edgeflow.api.tunnel.TunnelState;

import io.edgeflow.bundlecontent.BundleContent;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.http.runtime.HttpServiceRuntime;
import org.osgi.service.http.runtime.HttpServiceRuntimeConstants;

/**
 * The health check on the real framework: bundles, EdgeFlow's Declarative Services components (through
 * {@link ServiceComponentRuntime}), the local API (an HTTP GET of {@code /api/v1/saas/status} on the address the HTTP
 * runtime announces) and the tunnel ({@link TunnelService#state()}). Services are looked up at each check, never held:
 * the deployment may replace the bundles that provide them.
 * <p>
 * Threading: stateless; called on the engine's thread.
 */
final class FrameworkHealth implements Health {
    static final String STATUS_PATH = "api/v1/saas/status";
    static final int LOCAL_API_TIMEOUT_MS = 2000;

    private final BundleContext context;

    FrameworkHealth(BundleContext context) {
        this.context = context;
    }

    @Override
    public DeploymentRecord.Baseline baseline() {
        Set<String> active = new LinkedHashSet<>();
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() != 0 && b.getState() == Bundle.ACTIVE && b.getSymbolicName() != null) {
                active.add(b.getSymbolicName());
            }
        }
        Set<String> components = new LinkedHashSet<>();
        withScr(scr -> {
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(edgeflowBundles())) {
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.ACTIVE || c.state == ComponentConfigurationDTO.SATISFIED) {
                        components.add(d.name);
                    }
                }
            }
            return null;
        });
        return new DeploymentRecord.Baseline(active, components, localApiAnswers(), tunnelOnline().orElse(false));
    }

    @Override
    public Verdict check(DeploymentRecord.Baseline baseline, List<Operation> operations) {
        Set<String> removed = new HashSet<>();
        Set<String> changed = new LinkedHashSet<>();
        for (Operation op : operations) {
            Optional<Bundle> bundle = bundle(op.symbolicName());
            if (!op.hasArtifact()) {
                removed.add(op.symbolicName());
                if (bundle.isPresent()) {
                    return Verdict.broken(op.symbolicName(), null, "still installed after its uninstall");
                }
                continue;
            }
            changed.add(op.symbolicName());
            if (bundle.isEmpty()) {
                return Verdict.broken(op.symbolicName(), null, "not installed");
            }
            Bundle b = bundle.get();
            if (!b.getVersion().equals(op.version())) {
                return Verdict.broken(op.symbolicName(), null, "is at version " + b.getVersion()
                        + ", the deployment installs " + op.version());
            }
            if (FrameworkBundles.isFragment(b) || b.getState() == Bundle.ACTIVE) {
                continue;
            }
            if (b.getState() == Bundle.INSTALLED) {
                try {
                    b.start(); // only to learn why it does not resolve
                } catch (BundleException | IllegalStateException e) {
                    return Verdict.broken(op.symbolicName(), null, "cannot be resolved: " + e.getMessage());
                }
            }
            return Verdict.waiting(op.symbolicName(), null, "is " + stateName(b.getState()));
        }
        for (String name : baseline.activeBundles()) {
            if (removed.contains(name)) {
                continue;
            }
            Optional<Bundle> bundle = bundle(name);
            if (bundle.isEmpty()) {
                return Verdict.broken(name, null, "was active and is no longer installed");
            }
            if (bundle.get().getState() != Bundle.ACTIVE) {
                return Verdict.waiting(name, null, "was active and is " + stateName(bundle.get().getState()));
            }
        }
        activateServices(changed);
        Verdict components = withScr(scr -> components(scr, baseline, removed));
        if (components != null && !components.healthy()) {
            return components;
        }
        if (baseline.localApi() && !localApiAnswers()) {
            return Verdict.waiting("io.edgeflow.localapi", null, "the local API does not answer GET /"
                    + STATUS_PATH);
        }
        if (baseline.tunnelOnline()) {
            Optional<Boolean> online = tunnelOnline();
            if (!online.orElse(false)) {
                return Verdict.waiting("io.edgeflow.tunnel", null, online.isEmpty() ? "the tunnel service is not "
                        + "registered" : "the tunnel is not online: " + tunnelPhase());
            }
        }
        return Verdict.HEALTHY;
    }

    private Verdict components(ServiceComponentRuntime scr, DeploymentRecord.Baseline baseline, Set<String> removed) {
        Set<String> healthy = new HashSet<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(edgeflowBundles())) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    return Verdict.broken(d.bundle.symbolicName, d.name, c.failure == null ? "failed to activate"
                            : firstLine(c.failure));
                }
                if (c.state == ComponentConfigurationDTO.ACTIVE || c.state == ComponentConfigurationDTO.SATISFIED) {
                    healthy.add(d.name);
                }
            }
        }
        for (String name : baseline.components()) {
            if (!healthy.contains(name) && !removedComponent(scr, name, removed)) {
                return Verdict.waiting(null, name, "was active and is not satisfied");
            }
        }
        return Verdict.HEALTHY;
    }

    /** A component of a bundle the deployment uninstalled is gone by design. */
    private boolean removedComponent(ServiceComponentRuntime scr, String name, Set<String> removed) {
        if (removed.isEmpty()) {
            return false;
        }
        // its bundle is gone, so SCR does not list it: it counts as removed unless a remaining bundle declares it
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(edgeflowBundles())) {
            if (d.name.equals(name)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Gets and releases each service of the changed bundles once, so that a delayed component (activated only when
     * used) is activated now and an activation that throws shows in the check, not at its first real use.
     */
    private void activateServices(Set<String> changed) {
        for (String name : changed) {
            Optional<Bundle> bundle = bundle(name);
            ServiceReference<?>[] refs = bundle.map(Bundle::getRegisteredServices).orElse(null);
            if (refs == null) {
                continue;
            }
            for (ServiceReference<?> ref : refs) {
                try {
                    if (context.getService(ref) != null) {
                        context.ungetService(ref);
                    }
                } catch (RuntimeException e) {
                    // shows as FAILED_ACTIVATION in the component's DTO
                }
            }
        }
    }

    private <T> T withScr(Function<ServiceComponentRuntime, T> use) {
        ServiceReference<ServiceComponentRuntime> ref = context.getServiceReference(ServiceComponentRuntime.class);
        ServiceComponentRuntime scr = ref == null ? null : context.getService(ref);
        if (scr == null) {
            return null;
        }
        try {
            return use.apply(scr);
        } finally {
            context.ungetService(ref);
        }
    }

    private Bundle[] edgeflowBundles() {
        return Arrays.stream(context.getBundles()).filter(b -> BundleContent.isEdgeFlow(b.getSymbolicName()))
                .toArray(Bundle[]::new);
    }

    private Optional<Bundle> bundle(String symbolicName) {
        Bundle best = null;
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && b.getState() != Bundle.UNINSTALLED
                    && (best == null || b.getVersion().compareTo(best.getVersion()) > 0)) {
                best = b;
            }
        }
        return Optional.ofNullable(best);
    }

    /** @return true if the local API answers 200 to {@code GET /api/v1/saas/status} on an announced endpoint */
    boolean localApiAnswers() {
        ServiceReference<HttpServiceRuntime> ref = context.getServiceReference(HttpServiceRuntime.class);
        if (ref == null) {
            return false;
        }
        for (String endpoint : endpoints(ref.getProperty(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT))) {
            try {
                URI uri = URI.create(loopback(endpoint.endsWith("/") ? endpoint : endpoint + "/")).resolve(STATUS_PATH);
                HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
                connection.setConnectTimeout(LOCAL_API_TIMEOUT_MS);
                connection.setReadTimeout(LOCAL_API_TIMEOUT_MS);
                try {
                    int status = connection.getResponseCode();
                    try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                        if (in != null) {
                            in.transferTo(java.io.OutputStream.nullOutputStream());
                        }
                    }
                    if (status == 200) {
                        return true;
                    }
                } finally {
                    connection.disconnect();
                }
            } catch (IOException | IllegalArgumentException e) {
                // not answering on this endpoint
            }
        }
        return false;
    }

    /** An endpoint announced on the wildcard address is asked on loopback. */
    static String loopback(String endpoint) {
        return endpoint.replaceFirst("//0\\.0\\.0\\.0([:/])", "//127.0.0.1$1").replaceFirst("//\\[::\\]([:/])",
                "//[::1]$1");
    }

    static List<String> endpoints(Object value) {
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof String[] array) {
            return Arrays.asList(array);
        }
        if (value instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    private Optional<Boolean> tunnelOnline() {
        return tunnelState().map(TunnelState::connected);
    }

    private String tunnelPhase() {
        return tunnelState().map(s -> s.phase().name().toLowerCase(java.util.Locale.ROOT)
                + (s.error() == null ? "" : " (" + s.error().code() + ")")).orElse("unknown");
    }

    private Optional<TunnelState> tunnelState() {
        ServiceReference<TunnelService> ref = context.getServiceReference(TunnelService.class);
        TunnelService tunnel = ref == null ? null : context.getService(ref);
        if (tunnel == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(tunnel.state());
        } catch (RuntimeException e) {
            return Optional.empty();
        } finally {
            context.ungetService(ref);
        }
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "installed (not resolved)";
            case Bundle.RESOLVED -> "resolved (not started)";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            case Bundle.ACTIVE -> "active";
            default -> "uninstalled";
        };
    }

    /**
     * @param text the failure SCR recorded (a stack trace)
     * @return its root cause's line (the last {@code Caused by:}), else its first line; at most 500 characters
     */
    static String firstLine(String text) {
        String line = null;
        for (String l : text.split("\\R")) {
            String s = l.strip();
            if (line == null && !s.isEmpty()) {
                line = s;
            } else if (s.startsWith("Caused by: ")) {
                line = s.substring("Caused by: ".length());
            }
        }
        line = line == null ? "failed to activate" : line;
        return line.length() > 500 ? line.substring(0, 500) + "…" : line;
    }
}
