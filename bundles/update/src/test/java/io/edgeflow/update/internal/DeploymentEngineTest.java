package io.edgeflow.update.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;

import io.edgeflow.update.internal.DeploymentEngine.Outcome;
import io.edgeflow.update.internal.DeploymentRecord.State;
import io.edgeflow.update.internal.Fakes.FakeBundles;
import io.edgeflow.update.internal.Fakes.FakeCloud;
import io.edgeflow.update.internal.Fakes.FakeHealth;
import io.edgeflow.update.internal.Fakes.KilledError;
import io.edgeflow.update.internal.Fakes.ManualClock;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentEngineTest {
    static final String HW = "io.edgeflow.facts.hardware";
    static final String TUNNEL = "io.edgeflow.tunnel";
    static final String SELF = "io.edgeflow.update";

    @TempDir
    Path data;
    final KeyPair publisher = TestArtifacts.keyPair();
    final KeyPair stranger = TestArtifacts.keyPair();
    final FakeBundles bundles = new FakeBundles();
    final FakeHealth health = new FakeHealth();
    final FakeCloud cloud = new FakeCloud();
    final ManualClock clock = new ManualClock();
    final byte[] hw2 = TestArtifacts.bundle(HW, "0.2.0");
    byte[] hw1;

    @BeforeEach
    void framework() {
        bundles.add(HW, "0.1.0", true);
        bundles.add(TUNNEL, "0.1.0", true);
        bundles.add(SELF, "0.1.0", true);
        hw1 = bundles.bundles.get(HW).content;
        cloud.serve(hw2);
    }

    DeploymentEngine engine(ExecutorService executor, String... trusted) {
        return new DeploymentEngine(new Journal(data.resolve("updates"), m -> { }), bundles, health, cloud,
                TrustedKeys.parse(trusted), 32 * 1024 * 1024, clock, executor, d -> clock.advance(d));
    }

    DeploymentEngine engine() {
        return engine(new Fakes.DirectExecutor(), TestArtifacts.publicKey(publisher));
    }

    static DeploymentRequest request(String id, List<Map<String, Object>> operations) {
        return DeploymentRequest.fromJson(TestArtifacts.deployment(id, 5, operations), 60);
    }

    DeploymentRequest updateHw(String id, KeyPair... signers) {
        return request(id, List.of(TestArtifacts.operation("update", HW, "0.2.0", hw2, signers)));
    }

    DeploymentRecord run(DeploymentEngine engine, DeploymentRequest request) throws IOException {
        assertThat(engine.accept(request).outcome()).isEqualTo(Outcome.ACCEPTED);
        return engine.record(request.id()).orElseThrow();
    }

    long filesIn(String dir) throws IOException {
        Path p = data.resolve("updates").resolve(dir);
        if (!Files.isDirectory(p)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void anUpdateThatIsHealthySucceeds() throws IOException {
        DeploymentRecord r = run(engine(), updateHw("dep_1", publisher));
        assertThat(r.state()).isEqualTo(State.SUCCEEDED);
        assertThat(bundles.version(HW)).isEqualTo("0.2.0");
        assertThat(bundles.log).contains("update " + HW + " 0.2.0", "refresh [" + HW + "]");
        assertThat(filesIn("saved")).as("saved copies are deleted after the commit").isZero();
        assertThat(filesIn("artifacts")).as("artifacts are deleted after the commit").isZero();
        assertThat(new Journal(data.resolve("updates"), m -> { }).readAll()).singleElement()
                .satisfies(j -> assertThat(j.state()).isEqualTo(State.SUCCEEDED));
    }

    @Test
    void aBadSignatureIsRefusedAndNothingChanges() throws IOException {
        DeploymentRequest request = updateHw("dep_1", publisher);
        // the trusted key's signature, but of other bytes
        @SuppressWarnings("unchecked")
        Map<String, Object> sig = (Map<String, Object>) request.operations().get(0).signatures().get(0);
        Map<String, Object> forged = new java.util.LinkedHashMap<>(sig);
        forged.put("signature", TestArtifacts.sign(publisher, TestArtifacts.sha256(hw1)));
        Operation op = request.operations().get(0);
        DeploymentRequest bad = new DeploymentRequest("dep_1", 5, List.of(new Operation(op.action(),
                op.symbolicName(), op.version(), op.sha256(), op.size(), List.of(forged))));
        DeploymentRecord r = run(engine(), bad);
        assertThat(r.state()).isEqualTo(State.FAILED);
        assertThat(r.reason()).startsWith("bad_signature");
        assertThat(bundles.changes()).isEmpty();
        assertThat(bundles.version(HW)).isEqualTo("0.1.0");
    }

    @Test
    void anUntrustedKeyIsRefusedAndNothingChanges() throws IOException {
        DeploymentRecord r = run(engine(), updateHw("dep_1", stranger));
        assertThat(r.state()).isEqualTo(State.FAILED);
        assertThat(r.reason()).startsWith("untrusted_key");
        assertThat(bundles.changes()).isEmpty();
    }

    @Test
    void aWrongHashIsRefusedAndNothingChanges() throws IOException {
        DeploymentRequest request = updateHw("dep_1", publisher);
        byte[] other = TestArtifacts.bundle(HW, "0.2.0-evil".replace("-evil", ".1"));
        byte[] sameSize = java.util.Arrays.copyOf(other, hw2.length);
        cloud.artifacts.put(request.operations().get(0).sha256(), sameSize);
        DeploymentRecord r = run(engine(), request);
        assertThat(r.state()).isEqualTo(State.FAILED);
        assertThat(r.reason()).startsWith("hash_mismatch");
        assertThat(bundles.changes()).isEmpty();
    }

    @Test
    void withoutATrustedKeyADeploymentIsRefusedAndNotJournaled() throws IOException {
        DeploymentEngine engine = engine(new Fakes.DirectExecutor());
        assertThat(engine.accept(updateHw("dep_1", publisher)).outcome()).isEqualTo(Outcome.DISABLED);
        assertThat(engine.records()).isEmpty();
        assertThat(filesIn("journal")).isZero();
        assertThat(bundles.changes()).isEmpty();
    }

    @Test
    void aComponentThatFailsRollsBackToTheSavedCopy() throws IOException {
        health.then(Health.Verdict.broken(HW, "io.edgeflow.facts.hardware.internal.HardwareFactsComponent",
                "java.lang.IllegalStateException: boom"));
        DeploymentRecord r = run(engine(), updateHw("dep_1", publisher));
        assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
        assertThat(r.reason()).startsWith("health_check_failed");
        assertThat(r.failed()).isEqualTo(new DeploymentRecord.Failure(HW,
                "io.edgeflow.facts.hardware.internal.HardwareFactsComponent", "java.lang.IllegalStateException: boom"));
        assertThat(bundles.version(HW)).isEqualTo("0.1.0");
        assertThat(bundles.bundles.get(HW).content).isEqualTo(hw1);
        assertThat(bundles.bundles.get(HW).active).isTrue();
        assertThat(bundles.changes()).containsExactly("update " + HW + " 0.2.0", "update " + HW + " 0.1.0");
    }

    @Test
    void aBundleThatDoesNotStartRollsBack() throws IOException {
        bundles.failStart.add(HW + " 0.2.0");
        DeploymentRecord r = run(engine(), updateHw("dep_1", publisher));
        assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
        assertThat(r.failed().bundle()).isEqualTo(HW);
        assertThat(r.failed().message()).contains("Unable to resolve");
        assertThat(bundles.version(HW)).isEqualTo("0.1.0");
    }

    @Test
    void aHealthCheckThatNeverPassesRollsBackAtItsDeadline() throws IOException {
        health.then(Health.Verdict.waiting(TUNNEL, null, "the tunnel is not online: offline"));
        DeploymentRecord r = run(engine(), updateHw("dep_1", publisher));
        assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
        assertThat(r.reason()).startsWith("health_check_timeout: after 5 s");
        assertThat(r.failed().bundle()).isEqualTo(TUNNEL);
        assertThat(health.checks).isGreaterThan(1);
        assertThat(bundles.version(HW)).isEqualTo("0.1.0");
    }

    @Test
    void aRollbackUndoesInstallsAndUninstallsToo() throws IOException {
        byte[] extra = TestArtifacts.bundle("io.edgeflow.extra", "1.0.0");
        cloud.serve(extra);
        String tunnelLocation = bundles.bundles.get(TUNNEL).location;
        byte[] tunnelContent = bundles.bundles.get(TUNNEL).content;
        health.then(Health.Verdict.broken("io.edgeflow.extra", null, "boom"));
        DeploymentRecord r = run(engine(), request("dep_1", List.of(
                TestArtifacts.operation("install", "io.edgeflow.extra", "1.0.0", extra, publisher),
                TestArtifacts.uninstall(TUNNEL))));
        assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
        assertThat(bundles.bundles).doesNotContainKey("io.edgeflow.extra");
        assertThat(bundles.bundles.get(TUNNEL).location).isEqualTo(tunnelLocation);
        assertThat(bundles.bundles.get(TUNNEL).content).isEqualTo(tunnelContent);
        assertThat(bundles.bundles.get(TUNNEL).active).isTrue();
    }

    @Test
    void aKillDuringApplyIsRolledBackAtTheNextStart() throws IOException {
        byte[] tunnel2 = TestArtifacts.bundle(TUNNEL, "0.2.0");
        cloud.serve(tunnel2);
        bundles.crashAt = TUNNEL; // HW is updated, then the agent dies before the tunnel
        DeploymentRequest request = request("dep_1", List.of(
                TestArtifacts.operation("update", HW, "0.2.0", hw2, publisher),
                TestArtifacts.operation("update", TUNNEL, "0.2.0", tunnel2, publisher)));
        assertThatThrownBy(() -> engine().accept(request)).isInstanceOf(KilledError.class);
        assertThat(bundles.version(HW)).as("half applied").isEqualTo("0.2.0");
        bundles.crashAt = null;

        DeploymentEngine restarted = engine();
        restarted.recover();
        DeploymentRecord r = restarted.record("dep_1").orElseThrow();
        assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
        assertThat(r.reason()).startsWith("interrupted");
        assertThat(bundles.version(HW)).isEqualTo("0.1.0");
        assertThat(bundles.bundles.get(HW).content).isEqualTo(hw1);
        assertThat(bundles.version(TUNNEL)).isEqualTo("0.1.0");
    }

    @Test
    void aKillDuringTheHealthCheckCompletesTheCheckAtTheNextStart() throws IOException {
        health.crashOnFirstCheck = true;
        assertThatThrownBy(() -> engine().accept(updateHw("dep_1", publisher))).isInstanceOf(KilledError.class);
        DeploymentEngine restarted = engine();
        restarted.recover();
        assertThat(restarted.record("dep_1").orElseThrow().state()).isEqualTo(State.SUCCEEDED);
        assertThat(bundles.version(HW)).isEqualTo("0.2.0");
    }

    @Test
    void aKillDuringTheHealthCheckRollsBackAtTheNextStartIfItFails() throws IOException {
        health.crashOnFirstCheck = true;
        assertThatThrownBy(() -> engine().accept(updateHw("dep_1", publisher))).isInstanceOf(KilledError.class);
        health.then(Health.Verdict.broken(HW, "c", "boom"));
        DeploymentEngine restarted = engine();
        restarted.recover();
        assertThat(restarted.record("dep_1").orElseThrow().state()).isEqualTo(State.ROLLED_BACK);
        assertThat(bundles.version(HW)).isEqualTo("0.1.0");
    }

    @Test
    void aKillDuringTheRollbackFinishesTheRollbackAtTheNextStart() throws IOException {
        health.then(Health.Verdict.broken(HW, "c", "boom"));
        bundles.crashAt = HW; // the first update of HW passes (crashAt is set after it below)
        bundles.crashAt = null;
        DeploymentEngine engine = engine();
        Fakes.FakeHealth h = health;
        // crash at the rollback's update of HW: arm the crash once the deployment's own update is done
        bundles.log.clear();
        DeploymentEngine first = new DeploymentEngine(new Journal(data.resolve("updates"), m -> { }), bundles,
                new Health() {
                    @Override
                    public DeploymentRecord.Baseline baseline() {
                        return h.baseline();
                    }

                    @Override
                    public Verdict check(DeploymentRecord.Baseline b, List<Operation> ops) {
                        bundles.crashAt = HW;
                        return Verdict.broken(HW, "c", "boom");
                    }
                }, cloud, TrustedKeys.parse(new String[] {TestArtifacts.publicKey(publisher)}), 1 << 25, clock,
                new Fakes.DirectExecutor(), d -> clock.advance(d));
        assertThatThrownBy(() -> first.accept(updateHw("dep_1", publisher))).isInstanceOf(KilledError.class);
        assertThat(bundles.version(HW)).isEqualTo("0.2.0");
        bundles.crashAt = null;
        engine.recover();
        DeploymentRecord r = engine.record("dep_1").orElseThrow();
        assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
        assertThat(r.reason()).startsWith("health_check_failed");
        assertThat(bundles.version(HW)).isEqualTo("0.1.0");
    }

    @Test
    void theUpdateBundleUpdatesItselfLastAndItsNextActivationCompletesTheCheck() throws IOException {
        byte[] self2 = TestArtifacts.bundle(SELF, "0.2.0");
        cloud.serve(self2);
        DeploymentEngine engine = engine();
        DeploymentRecord r = run(engine, request("dep_1", List.of(
                TestArtifacts.operation("update", SELF, "0.2.0", self2, publisher),
                TestArtifacts.operation("update", HW, "0.2.0", hw2, publisher))));
        assertThat(r.state()).as("left for the next activation").isEqualTo(State.CHECKING);
        assertThat(bundles.changes()).containsExactly("update " + HW + " 0.2.0", "update " + SELF + " 0.2.0");
        assertThat(bundles.log).as("the others are refreshed before the update bundle updates itself")
                .containsSubsequence("refresh [" + HW + "]", "detached edgeflow-update-self", "update " + SELF
                        + " 0.2.0");
        assertThat(health.checks).isZero();

        DeploymentEngine next = engine();
        next.recover();
        assertThat(next.record("dep_1").orElseThrow().state()).isEqualTo(State.SUCCEEDED);
        assertThat(bundles.version(SELF)).isEqualTo("0.2.0");
        assertThat(bundles.log.stream().filter(l -> l.startsWith("refresh")).count())
                .as("the next activation does not refresh again (it would restart itself for ever)").isEqualTo(1);
    }

    @Test
    void anUpdateWhoseRefreshReachesTheUpdateBundleIsCompletedByItsNextActivation() throws IOException {
        String api = "io.edgeflow.api";
        bundles.add(api, "1.0.0", true);
        bundles.refreshReachesSelf.add(api); // the update bundle imports the API
        byte[] api2 = TestArtifacts.bundle(api, "1.1.0");
        cloud.serve(api2);
        DeploymentRecord r = run(engine(), request("dep_1", List.of(
                TestArtifacts.operation("update", api, "1.1.0", api2, publisher))));
        assertThat(r.state()).isEqualTo(State.CHECKING);
        assertThat(bundles.log).containsSubsequence("update " + api + " 1.1.0", "detached edgeflow-update-self",
                "refresh [" + api + "]");
        DeploymentEngine next = engine();
        next.recover();
        assertThat(next.record("dep_1").orElseThrow().state()).isEqualTo(State.SUCCEEDED);
        assertThat(bundles.log.stream().filter(l -> l.startsWith("refresh")).count()).isEqualTo(1);
    }

    @Test
    void aFailedSelfUpdateIsRolledBackByTheNextActivations() throws IOException {
        byte[] self2 = TestArtifacts.bundle(SELF, "0.2.0");
        cloud.serve(self2);
        run(engine(), request("dep_1", List.of(TestArtifacts.operation("update", SELF, "0.2.0", self2, publisher))));
        health.then(Health.Verdict.broken(SELF, "x", "boom"));
        DeploymentEngine second = engine();
        second.recover();
        // the rollback restores the update bundle itself on a thread of its own: one more activation finishes it
        assertThat(bundles.version(SELF)).isEqualTo("0.1.0");
        DeploymentEngine third = engine();
        third.recover();
        assertThat(third.record("dep_1").orElseThrow().state()).isEqualTo(State.ROLLED_BACK);
        assertThat(bundles.log.stream().filter(l -> l.startsWith("refresh")).count())
                .as("only the rollback's refresh, on the detached thread").isEqualTo(1);
    }

    @Test
    void aCutDownloadResumesWhereItStopped() throws IOException {
        cloud.cutDownloads = 1;
        DeploymentRecord r = run(engine(), updateHw("dep_1", publisher));
        assertThat(r.state()).isEqualTo(State.SUCCEEDED);
        assertThat(cloud.rangeStarts).containsExactly(0L, (long) hw2.length / 2);
    }

    @Test
    void aRedeliveryIsAnsweredWithTheRecordAndAnotherDeploymentWaits() throws IOException {
        Fakes.ManualExecutor executor = new Fakes.ManualExecutor();
        DeploymentEngine engine = engine(executor, TestArtifacts.publicKey(publisher));
        assertThat(engine.accept(updateHw("dep_1", publisher)).outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(engine.accept(updateHw("dep_1", publisher)).outcome()).isEqualTo(Outcome.KNOWN);
        DeploymentEngine.Acceptance other = engine.accept(updateHw("dep_2", publisher));
        assertThat(other.outcome()).isEqualTo(Outcome.IN_PROGRESS);
        assertThat(other.running()).isEqualTo("dep_1");
        executor.runAll();
        assertThat(engine.record("dep_1").orElseThrow().state()).isEqualTo(State.SUCCEEDED);
        assertThat(engine.accept(updateHw("dep_1", publisher)).outcome()).as("nothing is done again")
                .isEqualTo(Outcome.KNOWN);
        assertThat(bundles.changes()).hasSize(1);
    }

    @Test
    void anInstallOfAnInstalledBundleOrAnUpdateOfAMissingOneFailsBeforeAnyChange() throws IOException {
        DeploymentRecord r = run(engine(), request("dep_1", List.of(
                TestArtifacts.operation("install", HW, "0.2.0", hw2, publisher))));
        assertThat(r.reason()).startsWith("already_installed");
        DeploymentRecord u = run(engine(), request("dep_2", List.of(TestArtifacts.uninstall("io.edgeflow.nothing"))));
        assertThat(u.reason()).startsWith("not_installed");
        assertThat(bundles.changes()).isEmpty();
    }

    @Test
    void everyStateIsReportedAndAnUnacknowledgedOneIsSentAgainAfterARestart() throws Exception {
        java.util.concurrent.ScheduledExecutorService scheduler =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            cloud.failReports = 1_000_000; // the cloud is unreachable
            java.util.concurrent.ScheduledExecutorService before =
                    java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            DeploymentEngine engine = engine();
            engine.reportTo(new StatusReporter(cloud, before, engine::reported, Duration.ofMillis(5)));
            run(engine, updateHw("dep_1", publisher));
            before.shutdownNow(); // the agent stops
            assertThat(before.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(new Journal(data.resolve("updates"), m -> { }).readAll().get(0).needsReport()).isTrue();

            cloud.failReports = 0;
            DeploymentEngine restarted = engine();
            java.util.concurrent.CountDownLatch acknowledged = new java.util.concurrent.CountDownLatch(1);
            restarted.reportTo(new StatusReporter(cloud, scheduler, (id, state) -> {
                restarted.reported(id, state);
                acknowledged.countDown();
            }, Duration.ofMillis(5)));
            restarted.recover();
            assertThat(cloud.reports.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("dep_1 succeeded");
            assertThat(acknowledged.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(new Journal(data.resolve("updates"), m -> { }).readAll().get(0).needsReport())
                    .as("the acknowledgement is journaled").isFalse();
        } finally {
            scheduler.shutdownNow();
            scheduler.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void eachStateChangeReachesTheCloud() throws Exception {
        java.util.concurrent.ScheduledExecutorService scheduler =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            Fakes.ManualExecutor executor = new Fakes.ManualExecutor();
            DeploymentEngine engine = engine(executor, TestArtifacts.publicKey(publisher));
            java.util.concurrent.CountDownLatch succeeded = new java.util.concurrent.CountDownLatch(1);
            engine.reportTo(new StatusReporter(cloud, scheduler, (id, state) -> {
                engine.reported(id, state);
                if (state.equals("succeeded")) {
                    succeeded.countDown();
                }
            }, Duration.ofMillis(5)));
            engine.accept(updateHw("dep_1", publisher));
            assertThat(cloud.reports.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("dep_1 downloading");
            executor.runAll();
            List<String> seen = new java.util.ArrayList<>();
            while (!seen.contains("dep_1 succeeded")) {
                String next = cloud.reports.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(next).as("a report").isNotNull();
                seen.add(next);
            }
            assertThat(seen).contains("dep_1 verifying", "dep_1 applying", "dep_1 checking");
            assertThat(succeeded.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            executor.runAll(); // the acknowledgement is journaled on the engine's thread
            assertThat(engine.record("dep_1").orElseThrow().needsReport()).isFalse();
        } finally {
            scheduler.shutdownNow();
            scheduler.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
