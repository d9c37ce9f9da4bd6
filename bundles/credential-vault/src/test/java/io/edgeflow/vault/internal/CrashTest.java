package io.edgeflow.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;

/**
 * Never a torn vault: a child JVM ({@link CrashWriter}) writes credentials in a loop and is killed with
 * SIGKILL at a random moment, {@value #DEFAULT_KILLS} times by default; after every kill the vault is
 * opened by a fresh store, as after a restart, and must hold one complete set of credentials that is
 * no older than the last write the child reported as done.
 * <p>
 * To keep the run short on a small machine, the next child JVMs start while the current one writes;
 * a waiting child has loaded its classes but has not opened the vault, and only opens it after the
 * previous child was killed and its vault checked. SIGKILL tests atomicity, not a power cut: what the
 * kernel had accepted survives a killed process. The fsyncs that cover power cuts are in
 * {@link DurableFiles}.
 * <p>
 * System properties: {@code edgeflow.vault.crash.kills} (default {@value #DEFAULT_KILLS}),
 * {@code edgeflow.vault.crash.seed} (random by default; printed to repeat a run).
 */
class CrashTest {
    static final int DEFAULT_KILLS = 200;
    /** Kills fall uniformly between 0 and this many microseconds after the child started writing. */
    static final int MAX_DELAY_MICROS = 100_000;
    private static final int STANDBY_CHILDREN = 2;
    private static final int SIGKILL_EXIT = 128 + 9;

    @TempDir
    Path dir;

    @Test
    void theVaultHoldsACompleteSetAfterEverySigkill() throws Exception {
        int kills = Integer.getInteger("edgeflow.vault.crash.kills", DEFAULT_KILLS);
        long seed = Long.getLong("edgeflow.vault.crash.seed", new Random().nextLong());
        Random random = new Random(seed);
        Path vaultDir = dir.resolve("vault");
        Path machineId = Files.writeString(dir.resolve("machine-id"), "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
        Path childErrors = dir.resolve("children.err");

        long started = System.nanoTime();
        Deque<Child> standby = new ArrayDeque<>();
        long verified = 0;
        long verifiedPending = 0;
        long acknowledged = 0;
        int tempLeftBehind = 0;
        int killedBeforeFirstAck = 0;
        List<String> failures = new ArrayList<>();
        try {
            for (int round = 1; round <= kills; round++) {
                while (standby.size() < STANDBY_CHILDREN + 1) {
                    standby.add(Child.start(vaultDir, machineId, childErrors));
                }
                Child child = standby.poll();
                child.go();
                long start = child.start.get(60, TimeUnit.SECONDS);
                assertThat(start).as("round %d: the child found what the last check saw", round).isEqualTo(verified);

                long delayMicros = random.nextInt(MAX_DELAY_MICROS);
                LockSupport.parkNanos(delayMicros * 1000);
                int exit = child.kill();
                assertThat(exit).as("round %d: exit code of a SIGKILLed JVM", round).isEqualTo(SIGKILL_EXIT);

                if (Files.exists(vaultDir.resolve(VaultStore.VAULT_FILE_NAME + DurableFiles.TEMP_SUFFIX))) {
                    tempLeftBehind++;
                }
                if (child.lastStored == start) {
                    killedBeforeFirstAck++;
                }
                Checked found = check(vaultDir, machineId, child, verifiedPending, round, failures);
                assertThat(failures).as("round %d", round).isEmpty();
                assertThat(found.credentials()).as("round %d: never older than the last check", round)
                        .isGreaterThanOrEqualTo(verified);
                acknowledged += child.lastStored - start;
                verified = found.credentials();
                verifiedPending = found.pending();
            }
        } finally {
            standby.forEach(Child::stop);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("Crash test: %d SIGKILLs in %.1f s (seed %d); %d stores acknowledged, last %d; "
                + "%d kills left a half-written temp file behind, %d came before the child acknowledged its first store%n",
                kills, seconds, seed, acknowledged, verified, tempLeftBehind, killedBeforeFirstAck);
        // the kills fell both inside writes and between them, not only on idle or just-started children
        assertThat(kills - killedBeforeFirstAck).as("kills after the child acknowledged a store")
                .isGreaterThanOrEqualTo(kills / 4);
        assertThat(tempLeftBehind).as("kills in the middle of a write").isPositive();
        try (Stream<Path> files = Files.list(vaultDir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".corrupt-")))
                    .as("nothing was ever moved aside").isEmpty();
        }
    }

    /** Opens the vault as a restarted agent would, and checks it holds one complete, recent set. */
    private static Checked check(Path vaultDir, Path machineId, Child child, long previousPending, int round,
            List<String> failures) throws Exception {
        List<String> warnings = new ArrayList<>();
        VaultStore store = new VaultStore(vaultDir.resolve(VaultStore.VAULT_FILE_NAME),
                vaultDir.resolve(VaultStore.KEY_FILE_NAME), machineId, warnings::add);
        Optional<DeviceCredentials> loaded;
        Optional<String> pending;
        try {
            loaded = store.load();
            pending = store.pendingRequestId();
        } catch (VaultException e) {
            failures.add("round " + round + ": " + e.code() + ": " + e.getMessage());
            return new Checked(-1, -1);
        }
        if (!warnings.isEmpty()) {
            failures.add("round " + round + ": " + warnings);
        }
        if (loaded.isEmpty()) {
            // only before the first store ever returned; the writer stores credentials before any request id
            if (child.lastStored > 0 || pending.isPresent()) {
                failures.add("round " + round + ": no credentials, but the child had stored up to "
                        + child.lastStored + (pending.isPresent() ? " and a request is pending" : ""));
            }
            return new Checked(0, 0);
        }
        DeviceCredentials c = loaded.get();
        long n = CrashWriter.number(c.deviceId());
        DeviceCredentials expected = CrashWriter.credentials(n);
        if (!Arrays.equals(c.apiKey(), expected.apiKey()) || !expected.expiresAt().equals(c.expiresAt())
                || !expected.saasUrl().equals(c.saasUrl())) {
            failures.add("round " + round + ": the credentials of dev_" + n + " are not one complete set");
        }
        if (n < child.lastStored || n > child.lastStored + 1) {
            failures.add("round " + round + ": found dev_" + n + " but the child had stored up to " + child.lastStored);
        }
        // store() keeps the request id, so it is the one seen at the last check or one this child wrote
        long p = pending.map(id -> Long.parseLong(id.substring("req-".length()))).orElse(0L);
        boolean fromThisChild = p > child.startedAt && p <= n;
        if (!(p == previousPending || fromThisChild) || p < child.lastPending) {
            failures.add("round " + round + ": pending request " + p + " does not fit dev_" + n + " (before: "
                    + previousPending + ", this child started at " + child.startedAt + " and confirmed up to "
                    + child.lastPending + ")");
        }
        String mode = PosixFilePermissions.toString(
                Files.getPosixFilePermissions(vaultDir.resolve(VaultStore.VAULT_FILE_NAME)));
        if (!"rw-------".equals(mode)) {
            failures.add("round " + round + ": the vault file is " + mode);
        }
        c.destroy();
        return new Checked(n, p);
    }

    /** What a check found: the number of the credentials and of the pending request (0: none). */
    private record Checked(long credentials, long pending) {
    }

    /** One child JVM and what it reported. */
    private static final class Child {
        final Process process;
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        final CompletableFuture<Long> start = new CompletableFuture<>();
        final Thread reader;
        volatile long startedAt;
        volatile IOException readFailure;
        volatile long lastStored;
        volatile long lastPending;

        private Child(Process process) {
            this.process = process;
            this.reader = new Thread(this::read, "crash-child-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(Path vaultDir, Path machineId, Path errors) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-Xmx32m", "-Xss256k", "-XX:-UsePerfData", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(),
                    vaultDir.toString(), machineId.toString());
            builder.redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()));
            return new Child(builder.start());
        }

        void go() throws Exception {
            ready.get(60, TimeUnit.SECONDS);
            OutputStream in = process.getOutputStream();
            in.write("go\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
        }

        /**
         * SIGKILL, then everything the child printed is read to the end. Not Process.destroyForcibly():
         * on Linux it also closes our end of the child's stdout, discarding lines not yet read, so the
         * last acknowledged store would look older than it was. ProcessHandle only sends the signal.
         */
        int kill() {
            process.toHandle().destroyForcibly();
            try {
                int exit = process.waitFor();
                reader.join(30_000);
                if (reader.isAlive() || readFailure != null) {
                    throw new IllegalStateException("the output of child " + process.pid() + " was not read to its end",
                            readFailure);
                }
                return exit;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        /** Ends a child that was never used. */
        void stop() {
            process.destroyForcibly();
        }

        private void read() {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
                for (String line; (line = out.readLine()) != null;) {
                    if (line.equals("ready")) {
                        ready.complete(null);
                    } else if (line.startsWith("start ")) {
                        long n = Long.parseLong(line.substring(6));
                        startedAt = n;
                        lastStored = n;
                        start.complete(n);
                    } else if (line.startsWith("stored ")) {
                        lastStored = Long.parseLong(line.substring(7));
                    } else if (line.startsWith("pending ")) {
                        lastPending = Long.parseLong(line.substring(8));
                    }
                }
            } catch (IOException e) {
                readFailure = e; // EOF ends the loop; an exception means lines may be missing
            } finally {
                ready.completeExceptionally(new IllegalStateException("child ended before it was ready"));
                start.completeExceptionally(new IllegalStateException("child ended before it started"));
            }
        }
    }
}
