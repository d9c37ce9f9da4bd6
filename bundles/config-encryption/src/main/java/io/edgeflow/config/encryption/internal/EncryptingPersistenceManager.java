package io.edgeflow.config.encryption.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Dictionary;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.felix.cm.PersistenceManager;
import org.apache.felix.cm.file.FilePersistenceManager;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.propertytypes.ServiceDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Config Admin's storage with the secrets encrypted: wraps Felix Config Admin's own file persistence manager
 * (its files, its directory, its format) and keeps every secret property ({@link SecretProperties}) as
 * AES-256-GCM ciphertext there, so that no token, code, key or password is ever written in clear. Felix Config
 * Admin uses it when the framework property {@code felix.cm.pm} is {@value #NAME}, and waits for it before it
 * starts. Configurations of older versions are rewritten encrypted, with their secrets under private names, when
 * this component starts.
 */
@Component(service = PersistenceManager.class, configurationPolicy = ConfigurationPolicy.IGNORE,
        property = PersistenceManager.PROPERTY_NAME + "=" + EncryptingPersistenceManager.NAME)
@ServiceDescription("EdgeFlow: Config Admin files with secret properties encrypted (AES-256-GCM)")
public final class EncryptingPersistenceManager implements PersistenceManager {
    /** The name to select this persistence manager with: {@code felix.cm.pm=edgeflow-encrypted}. */
    public static final String NAME = "edgeflow-encrypted";
    /** The key file, in the data directory. */
    static final String KEY_FILE = "config-secrets.key";

    private static final Logger LOG = LoggerFactory.getLogger(EncryptingPersistenceManager.class);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final PersistenceManager files;
    private final PropertyCipher cipher;
    private final Path keyFile;
    private final Path location;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param files Felix Config Admin's file persistence manager
     * @param context for the data directory ({@code edgeflow.data.dir}, else this bundle's data area)
     */
    @Activate
    public EncryptingPersistenceManager(@Reference(target = "(" + PersistenceManager.PROPERTY_NAME + "="
            + FilePersistenceManager.DEFAULT_PERSISTENCE_MANAGER_NAME + ")") PersistenceManager files,
            BundleContext context) {
        this(files, keyFile(context), new SecureRandom());
    }

    EncryptingPersistenceManager(PersistenceManager files, Path keyFile, SecureRandom random) {
        this.files = files;
        this.keyFile = keyFile;
        this.location = files instanceof FilePersistenceManager f && f.getLocation() != null
                ? f.getLocation().toPath() : null;
        PropertyCipher made = null;
        if (keyFile == null) {
            LOG.error("No place for the configuration key (no data directory): secret configuration properties "
                    + "are kept in memory only and are lost when the agent stops");
        } else {
            byte[] key = null;
            try {
                key = ConfigurationKey.readOrCreate(keyFile, random);
                made = new PropertyCipher(key, random);
            } catch (IOException e) {
                LOG.error("Cannot read or create the configuration key {} ({}): secret configuration properties are "
                        + "kept in memory only and are lost when the agent stops", keyFile, e.getMessage());
            } finally {
                if (key != null) {
                    Arrays.fill(key, (byte) 0);
                }
            }
        }
        this.cipher = made;
        encryptWhatIsClear();
        tighten();
    }

    private static Path keyFile(BundleContext context) {
        String dataDir = context.getProperty("edgeflow.data.dir");
        if (dataDir != null && !dataDir.isBlank()) {
            return Path.of(dataDir.strip(), KEY_FILE);
        }
        File own = context.getDataFile(KEY_FILE);
        return own == null ? null : own.toPath();
    }

    @Override
    public boolean exists(String pid) {
        return files.exists(pid);
    }

    @Override
    public Dictionary load(String pid) throws IOException {
        return decode(pid, files.load(pid));
    }

    @Override
    public Enumeration getDictionaries() throws IOException {
        List<Dictionary<String, Object>> decoded = new ArrayList<>();
        for (Enumeration<?> all = files.getDictionaries(); all.hasMoreElements();) {
            @SuppressWarnings("unchecked")
            Dictionary<String, Object> stored = (Dictionary<String, Object>) all.nextElement();
            Object pid = stored.get(Constants.SERVICE_PID);
            decoded.add(pid instanceof String p ? decode(p, stored) : stored);
        }
        return Collections.enumeration(decoded);
    }

    @Override
    public void store(String pid, Dictionary properties) throws IOException {
        @SuppressWarnings("unchecked")
        Dictionary<String, Object> given = properties;
        files.store(pid, encode(pid, given));
        tighten();
    }

    @Override
    public void delete(String pid) throws IOException {
        files.delete(pid);
    }

    /** What Config Admin hands out: secrets decrypted, old names moved to private ones. */
    Dictionary<String, Object> decode(String pid, Dictionary<String, Object> stored) {
        if (stored == null) {
            return null;
        }
        Hashtable<String, Object> plain = new Hashtable<>();
        for (Enumeration<String> keys = stored.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            Object value = stored.get(key);
            if (PropertyCipher.isEncrypted(value)) {
                try {
                    if (cipher == null) {
                        throw new GeneralSecurityException("no key");
                    }
                    plain.put(key, cipher.decrypt(pid, key, (String) value));
                } catch (GeneralSecurityException e) {
                    if (warned.add(pid + "/" + key)) {
                        LOG.warn("The secret {} of the configuration {} cannot be decrypted with the key file {} "
                                + "(another key file, or the configuration file was altered); it is left out: set it "
                                + "again", key, pid, keyFile);
                    }
                }
            } else {
                plain.put(key, value);
            }
        }
        SecretProperties.migrate(pid, plain);
        return plain;
    }

    /** What goes to disk: secrets encrypted, under their private names. */
    Dictionary<String, Object> encode(String pid, Dictionary<String, Object> given) {
        Hashtable<String, Object> sealed = new Hashtable<>();
        for (Enumeration<String> keys = given.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            sealed.put(key, given.get(key));
        }
        SecretProperties.migrate(pid, sealed);
        for (String key : List.copyOf(sealed.keySet())) {
            Object value = sealed.get(key);
            if (SecretProperties.isSecret(key) && value instanceof String text && !PropertyCipher.isEncrypted(text)) {
                if (cipher != null) {
                    sealed.put(key, cipher.encrypt(pid, key, text));
                } else {
                    sealed.remove(key); // never in clear: lost at the next start instead
                }
            }
        }
        return sealed;
    }

    /** Rewrites every stored configuration that holds a secret in clear or under an old public name. */
    private void encryptWhatIsClear() {
        if (cipher == null) {
            return;
        }
        try {
            for (Enumeration<?> all = files.getDictionaries(); all.hasMoreElements();) {
                @SuppressWarnings("unchecked")
                Dictionary<String, Object> stored = (Dictionary<String, Object>) all.nextElement();
                if (!(stored.get(Constants.SERVICE_PID) instanceof String pid)) {
                    continue;
                }
                boolean clear = false;
                for (Enumeration<String> keys = stored.keys(); keys.hasMoreElements();) {
                    String key = keys.nextElement();
                    Object value = stored.get(key);
                    clear |= SecretProperties.isSecret(key) && value instanceof String
                            && !PropertyCipher.isEncrypted(value);
                }
                Hashtable<String, Object> probe = new Hashtable<>();
                for (Enumeration<String> keys = stored.keys(); keys.hasMoreElements();) {
                    String key = keys.nextElement();
                    probe.put(key, stored.get(key));
                }
                if (clear || SecretProperties.migrate(pid, probe)) {
                    files.store(pid, encode(pid, decode(pid, stored)));
                    LOG.info("The configuration {} held secrets in clear or under public names: they are now "
                            + "private and encrypted", pid);
                }
            }
        } catch (IOException e) {
            LOG.error("Could not encrypt the secrets of stored configurations: {}", e.getMessage());
        }
    }

    /** Config Admin's files are the agent's own: owner-only, whatever the process umask. */
    private void tighten() {
        if (!POSIX || location == null || !Files.isDirectory(location)) {
            return;
        }
        try {
            Files.walkFileTree(location, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    narrow(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile()) {
                        narrow(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("Could not narrow the permissions under {}: {}", location, e.getMessage());
        }
    }

    private static void narrow(Path path) throws IOException {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        permissions.addAll(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        if (permissions.removeAll(GROUP_OR_OTHER)) {
            Files.setPosixFilePermissions(path, permissions);
        }
    }
}
