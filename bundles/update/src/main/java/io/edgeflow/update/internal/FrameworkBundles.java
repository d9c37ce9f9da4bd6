package io.edgeflow.update.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * {@link Bundles} on the real framework. The saved copy of a bundle is rebuilt from its own entries
 * ({@link Bundle#getEntryPaths}, {@link Bundle#getEntry}: the bundle's jar, fragments excluded), with its manifest
 * first: the framework gives no standard access to an installed jar's bytes, and this works on Felix, Equinox and
 * whoever installed the bundle (the launcher, Karaf, Kura, an earlier deployment).
 * <p>
 * Threading: stateless; each call goes to the framework, which is thread-safe.
 */
final class FrameworkBundles implements Bundles {
    /** How long a refresh may take before the deployment gives up on it. */
    static final long REFRESH_TIMEOUT_SECONDS = 60;

    /** The update bundle itself: the object stays valid while the bundle is stopped and updated. */
    private final Bundle own;
    /**
     * The system bundle's context, not the update bundle's: the work that outlives the update bundle (its own
     * update, the refresh that follows) must still reach the framework once this bundle's context is gone.
     */
    private final BundleContext context;

    FrameworkBundles(BundleContext bundleContext) {
        this.own = bundleContext.getBundle();
        this.context = bundleContext.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getBundleContext();
        // Loaded now: after its own update the old revision of this bundle may no longer load a class, and the
        // refresh that follows an update of the update bundle runs in that revision.
        new RefreshDone().frameworkEvent(new FrameworkEvent(FrameworkEvent.INFO, own, null));
    }

    /** Counts down when the framework ends a refresh, keeping its error if any. */
    private static final class RefreshDone implements FrameworkListener {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Throwable> error = new AtomicReference<>();

        @Override
        public void frameworkEvent(FrameworkEvent event) {
            if (event.getType() == FrameworkEvent.ERROR) {
                error.set(event.getThrowable());
            }
            done.countDown();
        }
    }

    @Override
    public Optional<Installed> find(String symbolicName) {
        return bundle(symbolicName).map(b -> new Installed(b.getSymbolicName(), b.getLocation(),
                b.getVersion().toString(), b.getState() == Bundle.ACTIVE || isFragment(b)));
    }

    private Optional<Bundle> bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .filter(b -> b.getState() != Bundle.UNINSTALLED).max(Comparator.comparing(Bundle::getVersion));
    }

    private Bundle required(String symbolicName) {
        return bundle(symbolicName).orElseThrow(() -> new IllegalStateException(symbolicName + " is not installed"));
    }

    @Override
    public Set<String> activeBundles() {
        Set<String> names = new LinkedHashSet<>();
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() != 0 && b.getState() == Bundle.ACTIVE && b.getSymbolicName() != null) {
                names.add(b.getSymbolicName());
            }
        }
        return names;
    }

    @Override
    public String self() {
        return own.getSymbolicName();
    }

    @Override
    public void saveCopy(String symbolicName, Path target) throws IOException {
        Bundle bundle = required(symbolicName);
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        URL manifestUrl = bundle.getEntry("META-INF/MANIFEST.MF");
        if (manifestUrl == null) {
            throw new IOException(symbolicName + " has no manifest entry to save");
        }
        Manifest manifest;
        try (InputStream in = manifestUrl.openStream()) {
            manifest = new Manifest(in);
        }
        try (OutputStream file = Files.newOutputStream(temp); JarOutputStream jar = new JarOutputStream(file,
                manifest)) {
            List<String> paths = new ArrayList<>();
            collect(bundle, "/", paths);
            for (String path : paths) {
                if (path.equalsIgnoreCase("META-INF/MANIFEST.MF") || path.equalsIgnoreCase("META-INF/")) {
                    continue;
                }
                jar.putNextEntry(new JarEntry(path));
                if (!path.endsWith("/")) {
                    URL url = bundle.getEntry(path);
                    if (url != null) {
                        try (InputStream in = url.openStream()) {
                            in.transferTo(jar);
                        }
                    }
                }
                jar.closeEntry();
            }
            jar.finish();
            file.flush();
        }
        try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void collect(Bundle bundle, String dir, List<String> into) {
        Enumeration<String> entries = bundle.getEntryPaths(dir);
        if (entries == null) {
            return;
        }
        List<String> sorted = new ArrayList<>();
        entries.asIterator().forEachRemaining(sorted::add);
        sorted.sort(null);
        for (String path : sorted) {
            into.add(path);
            if (path.endsWith("/")) {
                collect(bundle, path, into);
            }
        }
    }

    @Override
    public void install(String location, Path jar) throws Exception {
        try (InputStream in = Files.newInputStream(jar)) {
            context.installBundle(location, in);
        }
    }

    @Override
    public void update(String symbolicName, Path jar) throws Exception {
        Bundle bundle = required(symbolicName);
        try (InputStream in = Files.newInputStream(jar)) {
            bundle.update(in);
        }
    }

    @Override
    public void uninstall(String symbolicName) throws Exception {
        required(symbolicName).uninstall();
    }

    @Override
    public boolean refreshReachesSelf(Set<String> symbolicNames) {
        FrameworkWiring wiring = wiring();
        Collection<Bundle> closure = wiring.getDependencyClosure(toRefresh(wiring, symbolicNames));
        return closure.contains(own);
    }

    @Override
    public void refresh(Set<String> symbolicNames) throws Exception {
        FrameworkWiring wiring = wiring();
        RefreshDone listener = new RefreshDone();
        AtomicReference<Throwable> error = listener.error;
        wiring.refreshBundles(toRefresh(wiring, symbolicNames), listener);
        if (!listener.done.await(REFRESH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the framework did not finish refreshing within "
                    + REFRESH_TIMEOUT_SECONDS + " s");
        }
        if (error.get() != null) {
            throw new IllegalStateException("refresh failed: " + error.get().getMessage(), error.get());
        }
    }

    private Collection<Bundle> toRefresh(FrameworkWiring wiring, Set<String> symbolicNames) {
        Set<Bundle> set = new HashSet<>(wiring.getRemovalPendingBundles());
        for (String name : symbolicNames) {
            bundle(name).ifPresent(set::add);
        }
        return set;
    }

    @Override
    public void start(String symbolicName) throws Exception {
        Bundle bundle = required(symbolicName);
        if (!isFragment(bundle) && bundle.getState() != Bundle.ACTIVE) {
            bundle.start();
        }
    }

    @Override
    public void detached(String name, Runnable work) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(false);
        thread.start();
    }

    private FrameworkWiring wiring() {
        return context.getBundle().adapt(FrameworkWiring.class);
    }

    static boolean isFragment(Bundle b) {
        return b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
    }
}
