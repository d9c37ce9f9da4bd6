package io.edgeflow.launcher;

import org.osgi.framework.Version;

/**
 * The restart rule (docs/running.md, "Bundles across restarts and upgrades"), as a pure decision per shipped bundle:
 * <ul>
 * <li>a bundle updated, installed or uninstalled at run time stays so across restarts (kill -9 included: the
 * framework keeps what it was told in its storage, and this rule only ever compares it with the record below);</li>
 * <li>a new {@code edgeflow.jar} replaces the bundles it ships with its own versions, unless a bundle was updated at
 * run time to a higher version than the jar ships;</li>
 * <li>a downgrade is never silent: it is logged as a warning that names the bundle.</li>
 * </ul>
 * What the launcher itself put into the framework is recorded in {@link LauncherState}: the version and digest it
 * shipped, and the bundle's id and last-modified time right after it did. A bundle whose id or last-modified time
 * differs from that record was changed at run time.
 */
final class RestartRule {
    private RestartRule() {
    }

    /** What the launcher does with one shipped bundle. */
    enum Action {
        /** not in the framework, never installed by the launcher: install it */
        INSTALL,
        /** as the launcher left it, or kept as changed at run time, and nothing new shipped: leave it */
        NOTHING,
        /** replace it with the shipped jar */
        UPDATE,
        /** replace it with the shipped jar, which is an older version: logged as a warning */
        DOWNGRADE,
        /** updated at run time to a higher version than the jar ships: keep it (one line says so) */
        KEEP_NEWER,
        /** uninstalled at run time: it stays uninstalled (one line says so) */
        STAY_UNINSTALLED
    }

    /** A bundle in the framework, as the launcher finds it at start. */
    record Installed(long id, Version version, long lastModified) {
    }

    /**
     * @param shipped the bundle in this edgeflow.jar
     * @param record what the launcher recorded of it at an earlier start, or null
     * @param installed the bundle of that symbolic name in the framework, or null
     * @return what to do
     */
    static Action decide(ShippedBundle shipped, LauncherState.Entry record, Installed installed) {
        if (installed == null) {
            return record == null ? Action.INSTALL : Action.STAY_UNINSTALLED;
        }
        boolean sameJar = record != null && record.digest().equals(shipped.digest());
        if (!changedAtRunTime(record, installed)) {
            if (sameJar) {
                return Action.NOTHING;
            }
            return shipped.version().compareTo(installed.version()) < 0 ? Action.DOWNGRADE : Action.UPDATE;
        }
        if (sameJar) {
            return Action.NOTHING;
        }
        return installed.version().compareTo(shipped.version()) > 0 ? Action.KEEP_NEWER : Action.UPDATE;
    }

    /**
     * @param record what the launcher recorded, or null
     * @param installed what the framework holds
     * @return true unless the framework holds exactly what the launcher put there
     */
    static boolean changedAtRunTime(LauncherState.Entry record, Installed installed) {
        return record == null || record.bundleId() != installed.id() || record.lastModified() != installed
                .lastModified();
    }
}
