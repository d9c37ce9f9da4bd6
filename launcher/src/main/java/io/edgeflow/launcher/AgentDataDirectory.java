package io.edgeflow.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The agent's data directory as one running agent owns it: mode 0700 (so nothing under it, framework
 * storage and Config Admin's files included, is readable by other users), locked for the life of the
 * process, with the owner's PID in the lock file so that a second copy can name it.
 */
final class AgentDataDirectory {
    /** The lock file, held by the running agent; it holds that agent's PID. */
    static final String LOCK_FILE = "agent.lock";

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /**
     * What the agent keeps in the data directory: the framework storage, the vault, its keys, its lock, the record of
     * the bundles the launcher installed and the start-up archives.
     */
    private static final List<String> OWN = List.of("framework", "vault", LOCK_FILE, "config-secrets.key",
            LauncherState.FILE, "edgeflow.jsa", "edgeflow.jsa.jvm");

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<String> warnings;

    private AgentDataDirectory(Path dir, FileChannel lockChannel, FileLock lock, List<String> warnings) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.warnings = warnings;
    }

    /** Another agent holds the data directory. */
    static final class HeldException extends IOException {
        private static final long serialVersionUID = 1L;

        HeldException(String message) {
            super(message, null);
        }
    }

    /**
     * Creates the directory (0700) and its {@code subdirectories} if missing, takes away group and other access
     * from an existing one and from everything under it (files written earlier without the start script's
     * umask), and locks it.
     *
     * @param dir the data directory
     * @param subdirectories directories to create inside it, also 0700
     * @return the locked directory; keep it for the life of the process
     * @throws HeldException if another process holds the lock, with a message that names its PID
     * @throws IOException if the directory cannot be created or locked
     */
    static AgentDataDirectory open(Path dir, String... subdirectories) throws IOException {
        List<String> warnings = new ArrayList<>();
        createPrivate(dir, warnings);
        for (String sub : subdirectories) {
            createPrivate(dir.resolve(sub), warnings);
        }
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel channel = POSIX
                ? FileChannel.open(lockFile, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-------")))
                : FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (held == null) {
            String pid = holder(channel);
            channel.close();
            throw new HeldException("another EdgeFlow agent" + (pid == null ? "" : " (PID " + pid + ")")
                    + " is running on the data directory " + dir + "; stop it first, or give this one another "
                    + "EDGEFLOW_DATA_DIR.");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                0);
        channel.force(true);
        tighten(dir, warnings);
        return new AgentDataDirectory(dir, channel, held, warnings);
    }

    /** @return one line per directory or file whose access had to be narrowed */
    List<String> warnings() {
        return warnings;
    }

    /** @return the directory */
    Path path() {
        return dir;
    }

    /** @return true while the lock is held */
    boolean locked() {
        return lock.isValid() && lockChannel.isOpen();
    }

    /** Releases the directory (the operating system also drops the lock when the process ends). */
    void release() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            // the channel is going away either way
        }
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            channel.read(buffer, 0);
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
            return text.matches("[0-9]{1,10}") ? text : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void createPrivate(Path dir, List<String> warnings) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (POSIX) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
            // a umask never widens a mode, but an inherited default ACL might
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } else {
            Files.createDirectory(dir);
        }
    }

    /**
     * Takes group and other access away from the directory and from what the agent keeps in it (never from
     * anything else an operator may keep there: a data directory pointed at a home directory must not change
     * every file in it). Owner bits stay as they are. Symbolic links are not followed.
     */
    private static void tighten(Path dir, List<String> warnings) throws IOException {
        if (!POSIX) {
            return;
        }
        if (narrow(dir)) {
            warnings.add("the data directory " + dir + " was open to group or other users; it is now 0700");
        }
        int[] narrowed = {0};
        for (String own : OWN) {
            Path path = dir.resolve(own);
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                walk(path, narrowed);
            }
        }
        if (narrowed[0] > 0) {
            warnings.add(narrowed[0] + " files and directories under " + dir
                    + " were readable by group or other users; their access is now owner-only");
        }
    }

    private static void walk(Path root, int[] narrowed) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (narrow(d)) {
                    narrowed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && narrow(file)) {
                    narrowed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // a file that vanished meanwhile
            }
        });
    }

    private static boolean narrow(Path path) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> owner = EnumSet.noneOf(PosixFilePermission.class);
        owner.addAll(permissions);
        if (!owner.removeAll(GROUP_OR_OTHER)) {
            return false;
        }
        Files.setPosixFilePermissions(path, owner);
        return true;
    }
}
