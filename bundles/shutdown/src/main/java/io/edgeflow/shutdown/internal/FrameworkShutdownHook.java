package io.edgeflow.shutdown.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a JVM shutdown hook that stops the framework, so that SIGTERM (systemd's stop) deactivates
 * every component and closes every socket and file before the JVM exits. bnd's launcher does not.
 */
@Component(service = {}, immediate = true)
public final class FrameworkShutdownHook {
    private static final Logger LOG = LoggerFactory.getLogger(FrameworkShutdownHook.class);
    /** How long the JVM waits for the framework to stop before it exits anyway. */
    static final long STOP_TIMEOUT_MILLIS = 10_000;

    private final Thread hook;
    private volatile boolean inHook;

    /**
     * @param context this bundle's context, to reach the system bundle
     */
    @Activate
    public FrameworkShutdownHook(BundleContext context) {
        Framework framework = (Framework) context.getBundle(Constants.SYSTEM_BUNDLE_ID);
        this.hook = new Thread(() -> stop(framework), "edgeflow-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private void stop(Framework framework) {
        inHook = true;
        LOG.info("Shutdown requested: stopping the EdgeFlow agent");
        try {
            framework.stop();
            framework.waitForStop(STOP_TIMEOUT_MILLIS);
        } catch (BundleException e) {
            LOG.warn("The framework could not be stopped cleanly: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Deactivate
    void deactivate() {
        if (inHook) {
            return; // we are being stopped by our own hook
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs, or has run, anyway
        }
    }
}
