package io.edgeflow.cloud.updates;

import java.io.IOException;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

/**
 * What the cloud reads of an uploaded bundle's manifest: its symbolic name (without its attributes and
 * directives) and its version, checked as OSGi defines them.
 *
 * @param symbolicName {@code Bundle-SymbolicName} without {@code ;singleton:=true} and the like
 * @param version {@code Bundle-Version}, as written
 */
public record BundleManifest(String symbolicName, String version) {
    /** A symbolic name: dot-separated tokens of letters, digits, {@code _} and {@code -}. */
    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    /** major[.minor[.micro[.qualifier]]], as org.osgi.framework.Version parses it. */
    private static final Pattern VERSION = Pattern.compile(
            "(0|[1-9][0-9]{0,8})(\\.(0|[1-9][0-9]{0,8})(\\.(0|[1-9][0-9]{0,8})(\\.[A-Za-z0-9_-]+)?)?)?");

    /**
     * @param jar a file
     * @return its bundle manifest
     * @throws NotABundle if it is not a jar, or has no symbolic name or no valid version
     */
    public static BundleManifest read(Path jar) throws NotABundle {
        Manifest manifest;
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            manifest = file.getManifest();
        } catch (IOException | SecurityException e) {
            throw new NotABundle("The upload is not a jar (zip) file.");
        }
        if (manifest == null) {
            throw new NotABundle("The jar has no META-INF/MANIFEST.MF.");
        }
        Attributes main = manifest.getMainAttributes();
        String name = main.getValue("Bundle-SymbolicName");
        if (name == null || name.isBlank()) {
            throw new NotABundle("The jar's manifest has no Bundle-SymbolicName: it is not an OSGi bundle.");
        }
        String symbolicName = name.split(";", 2)[0].trim();
        if (!SYMBOLIC_NAME.matcher(symbolicName).matches() || symbolicName.length() > 255) {
            throw new NotABundle("Bundle-SymbolicName '" + printable(symbolicName) + "' is not a valid symbolic name.");
        }
        String version = main.getValue("Bundle-Version");
        if (version == null || version.isBlank()) {
            throw new NotABundle("The jar's manifest has no Bundle-Version.");
        }
        version = version.trim();
        if (!validVersion(version)) {
            throw new NotABundle("Bundle-Version '" + printable(version)
                    + "' is not an OSGi version (major[.minor[.micro[.qualifier]]]).");
        }
        return new BundleManifest(symbolicName, version);
    }

    /**
     * @param name a symbolic name
     * @return true if it has the shape of one
     */
    public static boolean validSymbolicName(String name) {
        return name != null && name.length() <= 255 && SYMBOLIC_NAME.matcher(name).matches();
    }

    static boolean validVersion(String version) {
        if (version.length() > 128 || !VERSION.matcher(version).matches()) {
            return false;
        }
        for (String part : version.split("\\.", 4)) {
            if (part.chars().allMatch(Character::isDigit) && Long.parseLong(part) > Integer.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 80; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }

    /** The upload is not an OSGi bundle; the message says why. */
    public static final class NotABundle extends Exception {
        private static final long serialVersionUID = 1L;

        NotABundle(String message) {
            super(message, null, false, false);
        }
    }
}
