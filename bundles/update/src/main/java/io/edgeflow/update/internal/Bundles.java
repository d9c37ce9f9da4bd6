package io.edgeflow.update.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * What the deployment engine does to the framework, by symbolic name: a seam so that the engine's rules (order,
 * journal, rollback) are tested without a framework. {@link FrameworkBundles} is the real one.
 */
interface Bundles {

    /**
     * One installed bundle.
     *
     * @param symbolicName its symbolic name
     * @param location its location
     * @param version its version
     * @param active true if it is active (or a fragment, which is never started)
     */
    record Installed(String symbolicName, String location, String version, boolean active) {
    }

    /** @return the bundle of that symbolic name (the one with the highest version if several), if installed */
    Optional<Installed> find(String symbolicName);

    /** @return the symbolic names of the active bundles */
    Set<String> activeBundles();

    /** @return the update bundle's own symbolic name */
    String self();

    /**
     * Saves a copy of an installed bundle's content, from which {@link #update} or {@link #install} can restore it.
     *
     * @param symbolicName the bundle
     * @param target the file to write
     * @throws IOException if it cannot be saved
     */
    void saveCopy(String symbolicName, Path target) throws IOException;

    void install(String location, Path jar) throws Exception;

    void update(String symbolicName, Path jar) throws Exception;

    void uninstall(String symbolicName) throws Exception;

    /**
     * @param symbolicNames bundles to refresh
     * @return true if refreshing them also refreshes the update bundle (it is among them or depends on them)
     */
    boolean refreshReachesSelf(Set<String> symbolicNames);

    /**
     * Refreshes these bundles (and what depends on them) and waits until the framework is done.
     *
     * @param symbolicNames bundles that were installed, updated or uninstalled; those gone are refreshed by the
     *        framework's list of bundles pending removal
     * @throws Exception if the refresh did not end in time
     */
    void refresh(Set<String> symbolicNames) throws Exception;

    /**
     * Starts a bundle (nothing for a fragment or an active bundle).
     *
     * @throws Exception with the framework's reason, for example a requirement that cannot be resolved
     */
    void start(String symbolicName) throws Exception;

    /**
     * Runs work that stops the update bundle itself (its own update, or a refresh that reaches it) on a thread of its
     * own, so that the component can be deactivated meanwhile; the journal lets the next activation go on.
     *
     * @param work what to do
     */
    void detached(String name, Runnable work);
}
