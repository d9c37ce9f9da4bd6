package io.edgeflow.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.jar.JarFile;
import java.util.logging.LogManager;

import io.edgeflow.envfile.EnvFile;

import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Entry point of {@code edgeflow.jar}. Decides the data directory before the framework exists (the
 * framework keeps its storage, and with it Config Admin's data, there), checks that it can be
 * written, makes it private (0700) and locks it, so that a second agent on the same directory stops at
 * once with one line naming the first. Then it starts Apache Felix through the standard launch API
 * ({@link FrameworkFactory} from {@code META-INF/services}) with the bndrun's {@code -runproperties}, brings the
 * bundles in line with the ones this jar ships by the restart rule ({@link RestartRule}) and waits until the
 * framework stops. SIGTERM stops the framework cleanly (the JVM then exits with 143).
 */
public final class Main {
    // must equal io.edgeflow.api.vault.DataDirectory.DEFAULT_PATH (no compile dependency: DefaultDataDirectoryTest)
    static final String DEFAULT_DATA_DIR = "/var/lib/edgeflow";
    static final String DEFAULT_ENV_FILE = "/etc/edgeflow/.env";
    /** How long a SIGTERM waits for the framework to stop before the JVM exits anyway. */
    static final long STOP_TIMEOUT_MILLIS = 10_000;

    /** Held until the process ends: the lock on the data directory. */
    private static volatile AgentDataDirectory heldDataDirectory;

    private Main() {
    }

    /**
     * @param args not used
     * @throws InterruptedException if interrupted while the framework runs
     * @throws BundleException if the framework cannot be started again after an update of the system bundle
     */
    public static void main(String[] args) throws InterruptedException, BundleException {
        Framework framework = start();
        FrameworkEvent stopped = framework.waitForStop(0);
        while (stopped.getType() == FrameworkEvent.STOPPED_UPDATE) { // the system bundle was updated: start again
            framework.start();
            stopped = framework.waitForStop(0);
        }
        System.exit(stopped.getType() == FrameworkEvent.ERROR ? 1 : 0);
    }

    /**
     * Everything {@link #main} does before it waits: takes the data directory, starts the framework with the
     * shipped bundles and registers the shutdown hook that stops it. On a problem the user can fix it prints one
     * {@code edgeflow: ...} line and exits with 2.
     *
     * @return the running framework
     */
    public static Framework start() {
        Preinitialisation.start();
        Path dataDir;
        try {
            dataDir = dataDirectory(System.getenv());
            if (Files.isDirectory(dataDir) && !Files.isWritable(dataDir)) {
                throw new AccessDeniedException(dataDir.toString());
            }
            heldDataDirectory = AgentDataDirectory.open(dataDir, "framework");
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        } catch (AgentDataDirectory.HeldException e) {
            throw fail(e.getMessage());
        } catch (AccessDeniedException e) {
            throw fail("EdgeFlow cannot write its data directory " + e.getFile() + " (permission denied). Run it as "
                    + "a user who may, or set EDGEFLOW_DATA_DIR to a writable directory.");
        } catch (IOException e) {
            throw fail("EdgeFlow cannot create its data directory: " + e.getMessage()
                    + ". Set EDGEFLOW_DATA_DIR to a writable directory.");
        }
        heldDataDirectory.warnings().forEach(w -> System.err.println("edgeflow: warning: " + w));
        configureJavaUtilLogging();
        // The hook is there before the framework starts: a SIGTERM during the start waits for it, then stops it
        // cleanly (registered only after the start, a SIGTERM then made addShutdownHook throw "Shutdown in
        // progress" with a stack trace, and the framework was never stopped)
        CompletableFuture<Framework> launched = new CompletableFuture<>();
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopOnceLaunched(launched),
                    "edgeflow-launcher-stop"));
        } catch (IllegalStateException shutdownInProgress) {
            awaitJvmEnd(); // stopped before anything started: nothing to start, nothing to stop
        }
        Framework framework = null;
        try (JarFile jar = new JarFile(ownJar().toFile())) {
            framework = launch(ShippedJar.read(jar), dataDir);
        } catch (IOException | BundleException e) {
            launched.complete(null);
            throw fail("EdgeFlow could not start: " + e.getMessage());
        } finally {
            launched.complete(framework);
        }
        return framework;
    }

    private static void stopOnceLaunched(CompletableFuture<Framework> launched) {
        if (!launched.isDone()) {
            LauncherLog.info("stop requested while starting: the agent stops once the start has ended");
        }
        try {
            Framework framework = launched.get(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            if (framework != null) {
                stop(framework);
            }
        } catch (TimeoutException | ExecutionException e) {
            System.err.println("edgeflow: stopped while still starting; the start did not end within "
                    + STOP_TIMEOUT_MILLIS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The JVM is shutting down: wait here until it halts, as every other thread does. */
    private static void awaitJvmEnd() {
        while (true) {
            LockSupport.park();
        }
    }

    /**
     * Starts the framework with the bundles of {@code shipped}: the returned framework is active and runs until
     * stopped.
     *
     * @param shipped what edgeflow.jar carries
     * @param dataDir the locked data directory
     * @return the running framework
     * @throws BundleException if the framework or a bundle cannot be installed or started
     * @throws IOException if a shipped bundle cannot be read or the record of them written
     */
    static Framework launch(ShippedJar shipped, Path dataDir) throws BundleException, IOException {
        Map<String, String> properties = frameworkProperties(shipped.runProperties(), dataDir);
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, Main.class.getClassLoader())
                .findFirst().orElseThrow(() -> new BundleException("no OSGi framework on the class path"));
        Framework framework = factory.newFramework(properties);
        framework.init();
        ShippedBundles.apply(framework.getBundleContext(), shipped.bundles(), dataDir);
        framework.start();
        return framework;
    }

    /**
     * The framework's properties: the bndrun's {@code -runproperties}, each overridden by a system property of the
     * same name (so {@code -Dname=value} still wins), storage under the data directory. They also become system
     * properties, as bnd's launcher made them: slf4j-simple reads its settings there.
     */
    static Map<String, String> frameworkProperties(Map<String, String> runProperties, Path dataDir) {
        Map<String, String> properties = new HashMap<>();
        for (Map.Entry<String, String> e : runProperties.entrySet()) {
            String value = System.getProperty(e.getKey());
            if (value == null) {
                value = e.getValue();
                System.setProperty(e.getKey(), value);
            }
            properties.put(e.getKey(), value);
        }
        String storage = System.getProperty("launch.storage.dir", dataDir.resolve("framework").toString());
        properties.put(Constants.FRAMEWORK_STORAGE, storage);
        // the storage is the agent's state: bundles updated at run time, Config Admin's data
        properties.putIfAbsent(Constants.FRAMEWORK_STORAGE_CLEAN, "none");
        properties.put("edgeflow.data.dir", dataDir.toString());
        System.setProperty("edgeflow.data.dir", dataDir.toString());
        return properties;
    }

    private static void stop(Framework framework) {
        try {
            framework.stop();
            framework.waitForStop(STOP_TIMEOUT_MILLIS);
        } catch (BundleException e) {
            System.err.println("edgeflow: the framework could not be stopped cleanly: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path ownJar() throws IOException {
        try {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot find edgeflow.jar itself (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The data directory: {@code EDGEFLOW_DATA_DIR} from the environment, else from the env file, else
     * {@value #DEFAULT_DATA_DIR}.
     */
    static Path dataDirectory(Map<String, String> environment) {
        String value = environment.get("EDGEFLOW_DATA_DIR");
        String source = "the environment";
        if (value == null) {
            String envFile = environment.getOrDefault("EDGEFLOW_ENV_FILE", DEFAULT_ENV_FILE);
            if (envFile.isBlank()) {
                envFile = DEFAULT_ENV_FILE;
            }
            value = EnvFile.read(Path.of(envFile.strip())).values().get("EDGEFLOW_DATA_DIR");
            source = envFile;
        }
        if (value == null || value.isBlank()) {
            return Path.of(DEFAULT_DATA_DIR);
        }
        try {
            Path path = Path.of(value.strip());
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("EDGEFLOW_DATA_DIR from " + source
                        + " must be an absolute path, got '" + value.strip() + "'.");
            }
            return path.normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("EDGEFLOW_DATA_DIR from " + source + " is not a valid path.");
        }
    }

    /** Quietens java.util.logging (the JDK logs through it) unless the operator configured it. */
    private static void configureJavaUtilLogging() {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        try (InputStream in = Main.class.getResourceAsStream("/edgeflow-logging.properties")) {
            if (in != null) {
                LogManager.getLogManager().readConfiguration(in);
            }
        } catch (IOException e) {
            // keep the JVM's default logging configuration
        }
    }

    private static IllegalStateException fail(String message) {
        System.err.println("edgeflow: " + message);
        System.exit(2);
        return new IllegalStateException(message); // not reached
    }
}
