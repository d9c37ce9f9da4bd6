package io.edgeflow.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Brings the framework's bundles in line with the jar by {@link RestartRule}, between {@code init()} and
 * {@code start()} of the framework (nothing is resolved yet, so an update needs no refresh), and records what it
 * did in {@link LauncherState}.
 */
final class ShippedBundles {
    /** The location the launcher installs a shipped bundle at: stable across versions, so an upgrade is an update. */
    static final String LOCATION_PREFIX = "edgeflow:";

    private ShippedBundles() {
    }

    /**
     * @param context the system bundle's context of the initialised framework
     * @param shipped the bundles of this edgeflow.jar, in install order
     * @param dataDir the data directory, which holds the record
     * @throws BundleException if the framework refuses a bundle
     * @throws IOException if a shipped bundle cannot be read or the record cannot be written
     */
    static void apply(BundleContext context, List<ShippedBundle> shipped, Path dataDir) throws BundleException,
            IOException {
        Map<String, LauncherState.Entry> before = LauncherState.read(dataDir);
        Map<String, LauncherState.Entry> after = new TreeMap<>();
        Map<String, Bundle> installed = installedBySymbolicName(context);
        if (installed.isEmpty() && !before.isEmpty()) {
            // framework/ was deleted (a reset) but not the record: the record describes storage that is gone
            LauncherLog.info("the framework storage is empty: installing every bundle of this edgeflow.jar");
            before = Map.of();
        }
        Set<String> shippedNames = new HashSet<>();
        for (ShippedBundle s : shipped) {
            shippedNames.add(s.symbolicName());
            LauncherState.Entry record = before.get(s.symbolicName());
            Bundle bundle = installed.get(s.symbolicName());
            RestartRule.Installed found = bundle == null ? null
                    : new RestartRule.Installed(bundle.getBundleId(), bundle.getVersion(), bundle.getLastModified());
            RestartRule.Action action = RestartRule.decide(s, record, found);
            switch (action) {
                case INSTALL -> {
                    try (InputStream in = s.content().open()) {
                        bundle = context.installBundle(LOCATION_PREFIX + s.symbolicName(), in);
                    }
                    bundle.adapt(BundleStartLevel.class).setStartLevel(s.startLevel());
                    if (!s.fragment()) {
                        bundle.start(Bundle.START_ACTIVATION_POLICY);
                    }
                }
                case UPDATE, DOWNGRADE -> {
                    if (action == RestartRule.Action.DOWNGRADE) {
                        LauncherLog.warn(s.symbolicName() + ": downgraded from " + bundle.getVersion() + " to "
                                + s.version() + ", the version this edgeflow.jar ships");
                    } else if (RestartRule.changedAtRunTime(record, found)) {
                        LauncherLog.info(s.symbolicName() + ": " + bundle.getVersion()
                                + " (changed at run time) replaced by " + s.version() + " from this edgeflow.jar");
                    }
                    try (InputStream in = s.content().open()) {
                        bundle.update(in);
                    }
                    BundleStartLevel level = bundle.adapt(BundleStartLevel.class);
                    if (level.getStartLevel() != s.startLevel()) {
                        level.setStartLevel(s.startLevel());
                    }
                }
                case KEEP_NEWER -> LauncherLog.warn(s.symbolicName() + ": keeping " + bundle.getVersion()
                        + ", updated at run time; this edgeflow.jar ships the older " + s.version());
                case STAY_UNINSTALLED -> LauncherLog.info(s.symbolicName() + ": not installed, it was uninstalled at "
                        + "run time (" + LauncherState.FILE + " in the data directory records it)");
                case NOTHING -> {
                    // as it was
                }
                default -> throw new IllegalStateException(action.name());
            }
            after.put(s.symbolicName(), switch (action) {
                case INSTALL, UPDATE, DOWNGRADE -> new LauncherState.Entry(s.version(), s.digest(),
                        bundle.getBundleId(), bundle.getLastModified());
                // still changed at run time: the record keeps saying so, against this jar's digest
                case KEEP_NEWER, NOTHING -> record == null
                        ? new LauncherState.Entry(s.version(), s.digest(), -1, -1)
                        : new LauncherState.Entry(s.version(), s.digest(), record.bundleId(), record.lastModified());
                case STAY_UNINSTALLED -> new LauncherState.Entry(s.version(), s.digest(), record.bundleId(),
                        record.lastModified());
            });
        }
        // bundles an earlier edgeflow.jar shipped and this one does not: gone, unless changed at run time
        for (Map.Entry<String, LauncherState.Entry> old : before.entrySet()) {
            Bundle bundle = installed.get(old.getKey());
            if (shippedNames.contains(old.getKey()) || bundle == null) {
                continue;
            }
            RestartRule.Installed found = new RestartRule.Installed(bundle.getBundleId(), bundle.getVersion(),
                    bundle.getLastModified());
            if (!RestartRule.changedAtRunTime(old.getValue(), found)) {
                LauncherLog.info(old.getKey() + " " + bundle.getVersion() + ": uninstalled, this edgeflow.jar no "
                        + "longer ships it");
                bundle.uninstall();
            }
        }
        LauncherState.write(dataDir, after);
    }

    private static Map<String, Bundle> installedBySymbolicName(BundleContext context) {
        Map<String, Bundle> bySymbolicName = new HashMap<>();
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() == 0 || b.getSymbolicName() == null) {
                continue;
            }
            Bundle other = bySymbolicName.get(b.getSymbolicName());
            // two versions side by side: the one at the launcher's location is the shipped one
            if (other == null || b.getLocation().startsWith(LOCATION_PREFIX)) {
                bySymbolicName.put(b.getSymbolicName(), b);
            }
        }
        return bySymbolicName;
    }
}
