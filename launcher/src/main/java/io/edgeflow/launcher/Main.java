package io.edgeflow.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.logging.LogManager;

import io.edgeflow.config.internal.EnvFile;

/**
 * Entry point of {@code edgeflow.jar}. Decides the data directory before the framework exists (the
 * framework keeps its storage, and with it Config Admin's data, there), checks that it can be
 * written, makes it private (0700) and locks it, so that a second agent on the same directory stops at
 * once with one line naming the first, and hands over to bnd's embedded launcher, which starts Felix and the bundles of
 * {@code bndrun/edgeflow.bndrun}.
 */
public final class Main {
    static final String DEFAULT_DATA_DIR = "/var/lib/edgeflow";
    static final String DEFAULT_ENV_FILE = "/etc/edgeflow/.env";

    /** Held until the process ends: the lock on the data directory. */
    private static volatile AgentDataDirectory heldDataDirectory;

    private Main() {
    }

    /**
     * @param args passed on to the framework launcher
     * @throws Throwable whatever the launcher throws
     */
    public static void main(String[] args) throws Throwable {
        String unsupported = unsupportedJava(Runtime.version().feature());
        if (unsupported != null) {
            fail(unsupported);
            return;
        }
        Path dataDir;
        try {
            dataDir = dataDirectory(System.getenv());
            if (Files.isDirectory(dataDir) && !Files.isWritable(dataDir)) {
                throw new AccessDeniedException(dataDir.toString());
            }
            heldDataDirectory = AgentDataDirectory.open(dataDir, "framework");
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        } catch (AgentDataDirectory.HeldException e) {
            fail(e.getMessage());
            return;
        } catch (AccessDeniedException e) {
            fail("EdgeFlow cannot write its data directory " + e.getFile() + " (permission denied). Run it as a "
                    + "user who may, or set EDGEFLOW_DATA_DIR to a writable directory.");
            return;
        } catch (IOException e) {
            fail("EdgeFlow cannot create its data directory: " + e.getMessage()
                    + ". Set EDGEFLOW_DATA_DIR to a writable directory.");
            return;
        }
        heldDataDirectory.warnings().forEach(w -> System.err.println("edgeflow: warning: " + w));
        configureJavaUtilLogging();
        if (System.getProperty("launch.storage.dir") == null) {
            System.setProperty("launch.storage.dir", dataDir.resolve("framework").toString());
        }
        System.setProperty("edgeflow.data.dir", dataDir.toString());
        try {
            Class.forName("aQute.launcher.pre.EmbeddedLauncher").getMethod("main", String[].class)
                    .invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * bnd's launcher (7.1) installs a security policy as it starts the framework, which Java 24 and later refuse
     * ("Setting a system-wide Policy object is not supported"): say so in one line instead of a stack trace.
     *
     * @param feature the JVM's feature release
     * @return the message for a JVM the agent cannot run on, or null
     */
    static String unsupportedJava(int feature) {
        if (feature >= 24) { // below 17 this class does not even load: the JVM itself says so
            return "EdgeFlow runs on Java 17 to 23; this JVM is Java " + feature + ", whose removed security manager "
                    + "API the framework launcher still calls. Choose another JVM with JAVA_HOME or JAVA.";
        }
        return null;
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

    /** Quietens java.util.logging (used by SPI Fly) unless the operator configured it. */
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

    private static void fail(String message) {
        System.err.println("edgeflow: " + message);
        System.exit(2);
    }
}
