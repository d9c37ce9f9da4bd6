package io.edgeflow.update.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/** Stand-ins for the framework, the health check and the cloud, for the engine's unit tests. */
final class Fakes {
    private Fakes() {
    }

    /** Runs every task at once on the caller's thread. */
    static final class DirectExecutor extends AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

    /** Keeps tasks until the test runs them. */
    static final class ManualExecutor extends AbstractExecutorService {
        final Deque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable command) {
            tasks.add(command);
        }

        void runAll() {
            while (!tasks.isEmpty()) {
                tasks.poll().run();
            }
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

    /** A clock that moves only when told. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-12-03T20:00:00Z");

        synchronized void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public synchronized Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** A framework of bundles by symbolic name; each holds the bytes it was installed or updated from. */
    static final class FakeBundles implements Bundles {
        static final class Entry {
            String location;
            String version;
            byte[] content;
            boolean active;
        }

        final Map<String, Entry> bundles = new LinkedHashMap<>();
        /** what changed the framework, in order: "update x 0.2.0", "install y", "uninstall z", "refresh [..]" */
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        /** "name version" of bundles that do not resolve */
        final Set<String> failStart = new LinkedHashSet<>();
        final Set<String> refreshReachesSelf = new LinkedHashSet<>();
        /** thrown (an Error, as a kill -9 would end the work) at the operation on this bundle */
        String crashAt;
        String self = "io.edgeflow.update";

        void add(String symbolicName, String version, boolean active) {
            Entry e = new Entry();
            e.location = "reference:file:/shipped/" + symbolicName + ".jar";
            e.version = version;
            e.content = TestArtifacts.bundle(symbolicName, version);
            e.active = active;
            bundles.put(symbolicName, e);
        }

        String version(String name) {
            Entry e = bundles.get(name);
            return e == null ? null : e.version;
        }

        @Override
        public synchronized Optional<Installed> find(String symbolicName) {
            Entry e = bundles.get(symbolicName);
            return e == null ? Optional.empty() : Optional.of(new Installed(symbolicName, e.location, e.version,
                    e.active));
        }

        @Override
        public synchronized Set<String> activeBundles() {
            Set<String> active = new LinkedHashSet<>();
            bundles.forEach((k, v) -> {
                if (v.active) {
                    active.add(k);
                }
            });
            return active;
        }

        @Override
        public String self() {
            return self;
        }

        @Override
        public synchronized void saveCopy(String symbolicName, Path target) throws IOException {
            Files.write(target, bundles.get(symbolicName).content);
        }

        private static String[] manifest(Path jar) throws IOException {
            try (JarFile file = new JarFile(jar.toFile())) {
                var main = file.getManifest().getMainAttributes();
                return new String[] {main.getValue("Bundle-SymbolicName"), main.getValue("Bundle-Version")};
            }
        }

        private void crash(String name) {
            if (name.equals(crashAt)) {
                throw new KilledError();
            }
        }

        @Override
        public synchronized void install(String location, Path jar) throws Exception {
            String[] m = manifest(jar);
            crash(m[0]);
            Entry e = new Entry();
            e.location = location;
            e.version = m[1];
            e.content = Files.readAllBytes(jar);
            bundles.put(m[0], e);
            log.add("install " + m[0] + " " + m[1]);
        }

        @Override
        public synchronized void update(String symbolicName, Path jar) throws Exception {
            crash(symbolicName);
            Entry e = bundles.get(symbolicName);
            e.version = manifest(jar)[1];
            e.content = Files.readAllBytes(jar);
            log.add("update " + symbolicName + " " + e.version);
        }

        @Override
        public synchronized void uninstall(String symbolicName) throws Exception {
            crash(symbolicName);
            bundles.remove(symbolicName);
            log.add("uninstall " + symbolicName);
        }

        @Override
        public boolean refreshReachesSelf(Set<String> symbolicNames) {
            return symbolicNames.contains(self) || symbolicNames.stream().anyMatch(refreshReachesSelf::contains);
        }

        @Override
        public synchronized void refresh(Set<String> symbolicNames) {
            log.add("refresh " + new java.util.TreeSet<>(symbolicNames));
        }

        @Override
        public synchronized void start(String symbolicName) throws Exception {
            if (failStart.contains(symbolicName + " " + bundles.get(symbolicName).version)) {
                throw new Exception("Unable to resolve " + symbolicName + ": missing requirement osgi.wiring.package="
                        + "com.example.missing");
            }
            bundles.get(symbolicName).active = true;
        }

        @Override
        public void detached(String name, Runnable work) {
            log.add("detached " + name);
            work.run();
        }

        /** @return the log entries that changed bundles (not refreshes) */
        List<String> changes() {
            synchronized (log) {
                return log.stream().filter(l -> !l.startsWith("refresh") && !l.startsWith("detached")).toList();
            }
        }
    }

    /** Stands for a kill -9: nothing after it runs. */
    static final class KilledError extends Error {
        private static final long serialVersionUID = 1L;
    }

    /** Verdicts in order; the last one repeats. */
    static final class FakeHealth implements Health {
        final Deque<Verdict> verdicts = new ArrayDeque<>(List.of(Verdict.HEALTHY));
        int checks;
        boolean crashOnFirstCheck;

        void then(Verdict... next) {
            verdicts.clear();
            verdicts.addAll(List.of(next));
        }

        @Override
        public DeploymentRecord.Baseline baseline() {
            return new DeploymentRecord.Baseline(Set.of("io.edgeflow.facts.hardware"), Set.of("hw"), true, true);
        }

        @Override
        public synchronized Verdict check(DeploymentRecord.Baseline baseline, List<Operation> operations) {
            checks++;
            if (crashOnFirstCheck) {
                crashOnFirstCheck = false;
                throw new KilledError();
            }
            return verdicts.size() > 1 ? verdicts.poll() : verdicts.peek();
        }
    }

    /** Serves artifacts by SHA-256 and records reports. */
    static final class FakeCloud implements Cloud {
        final Map<String, byte[]> artifacts = new HashMap<>();
        /** downloads that break after half the bytes, before the rest is sent */
        int cutDownloads;
        final List<Long> rangeStarts = Collections.synchronizedList(new ArrayList<>());
        final BlockingQueue<String> reports = new LinkedBlockingQueue<>();
        volatile int failReports;

        void serve(byte[] jar) {
            artifacts.put(TestArtifacts.sha256(jar), jar);
        }

        @Override
        public void download(Operation op, Path part, long maxBytes) throws IOException {
            byte[] bytes = artifacts.get(op.sha256());
            if (bytes == null) {
                throw new IOException("the cloud answered 404");
            }
            long have = Files.isRegularFile(part) ? Files.size(part) : 0;
            rangeStarts.add(have);
            if (cutDownloads > 0) {
                cutDownloads--;
                int half = bytes.length / 2;
                Files.write(part, java.util.Arrays.copyOfRange(bytes, (int) have, Math.max((int) have, half)),
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                throw new IOException("connection reset");
            }
            Files.write(part, java.util.Arrays.copyOfRange(bytes, (int) have, bytes.length), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }

        @Override
        public void report(String deploymentId, Map<String, Object> status) throws IOException {
            if (failReports > 0) {
                failReports--;
                throw new IOException("cloud unreachable");
            }
            reports.add(deploymentId + " " + status.get("state"));
        }
    }
}
