package io.edgeflow.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.provisioning.RotatedKey;
import io.edgeflow.api.vault.DeviceCredentials;

/**
 * Rotation of the API key through the engine, with the fake cloud's rotation rules (the previous key works until
 * the new one is confirmed; a retried rotation voids the unconfirmed key) and a vault in memory: each step failing,
 * and a restart of the component between the steps.
 */
class KeyRotationTest {
    private static final String DEVICE = "dev_7";
    private static final String KEY = "efk_stored_key_0123456789_padding";
    private static final Clock CLOCK_1970 = Clock.fixed(Instant.EPOCH.plusSeconds(42), ZoneOffset.UTC);

    private final FakeVault vault = new FakeVault();
    private final FakeCloud cloud = new FakeCloud();
    private final Map<String, Object> config = new HashMap<>(Map.of("enabled", true, "url", "127.0.0.1:8443",
            "retry_initial_delay_ms", 5, "retry_max_delay_seconds", 1));
    private final IdentityPublisher identity = new IdentityPublisher(vault);
    private ProvisioningEngine engine;
    private ScheduledThreadPoolExecutor worker;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** Starts the engine (again, after a "crash": the vault and the cloud stay) and waits until it is at rest. */
    private void start() throws Exception {
        worker = new ScheduledThreadPoolExecutor(1);
        worker.setRemoveOnCancelPolicy(true);
        engine = new ProvisioningEngine(Configs.settings(config), vault, s -> cloud, Map::of, Map::of,
                (property, onlyIf) -> { }, new UsedCodes(null), identity, CLOCK_1970, bound -> bound, worker);
        engine.kick();
        settle();
    }

    /** A device provisioned in an earlier run: its confirmed key in the vault and in the cloud. */
    private void provisioned() throws Exception {
        cloud.preProvisioned(DEVICE, KEY);
        vault.store(new DeviceCredentials(DEVICE, KEY.toCharArray(), FakeCloud.EXPIRES, "127.0.0.1:8443"));
        start();
        assertThat(vault.identity()).as("identity before the rotation").isNotNull();
        cloud.calls.clear();
    }

    /** Waits until every task queued so far has run and no retry timer waits. */
    private void settle() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            worker.submit(() -> { }).get(10, TimeUnit.SECONDS);
            if (worker.getQueue().isEmpty() && worker.getActiveCount() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the worker did not come to rest within 10 s");
            }
        }
    }

    private String code(ThrowingRotation call) {
        try {
            call.run();
        } catch (ProvisioningException e) {
            return e.code();
        }
        throw new AssertionError("the rotation did not fail");
    }

    private interface ThrowingRotation {
        void run() throws ProvisioningException;
    }

    @Test
    void theNewKeyIsStoredThenConfirmedAndThePreviousOneEnds() throws Exception {
        provisioned();
        RotatedKey rotated = engine.rotateKey();

        assertThat(rotated).isEqualTo(new RotatedKey(DEVICE, FakeCloud.ROTATED_EXPIRES, null, true));
        assertThat(cloud.calls).containsExactly("rotate " + DEVICE, "confirm " + DEVICE);
        String stored = vault.key();
        assertThat(stored).isNotEqualTo(KEY).isEqualTo(cloud.key(DEVICE));
        assertThat(vault.operations).containsSubsequence("pending", "store " + DEVICE, "clear pending");
        assertThat(vault.pending()).isNull();
        assertThat(cloud.accepts(DEVICE, KEY)).as("the previous key after the confirmation").isFalse();
        assertThat(vault.identity().credentialsExpireAt()).isEqualTo(FakeCloud.ROTATED_EXPIRES);
        assertThat(rotated.toString()).doesNotContain(stored);
    }

    @Test
    void aRefusedRotationLeavesTheCurrentKey() throws Exception {
        provisioned();
        cloud.failRotate(new CloudCallException("invalid_credentials", "Unknown API key.", true, 401, null), 1);
        assertThat(code(engine::rotateKey)).isEqualTo("invalid_credentials");
        cloud.failRotate(FakeCloud.unreachable(), 1);
        assertThatThrownBy(engine::rotateKey).isInstanceOfSatisfying(ProvisioningException.class, e -> {
            assertThat(e.code()).isEqualTo(CloudCallException.UNREACHABLE);
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage()).contains("127.0.0.1:1");
        });
        assertThat(vault.key()).isEqualTo(KEY);
        assertThat(vault.pending()).isNull();
        assertThat(vault.identity()).isNotNull();
    }

    @Test
    void aVaultThatCannotStoreTheNewKeyKeepsTheCurrentOneAndTheNextRotationVoidsTheLostKey() throws Exception {
        provisioned();
        vault.failStores(1);
        assertThat(code(engine::rotateKey)).isEqualTo("vault_io_error");
        String lost = cloud.key(DEVICE);
        assertThat(vault.key()).isEqualTo(KEY);
        assertThat(cloud.accepts(DEVICE, KEY)).as("the current key in its overlap window").isTrue();

        cloud.calls.clear();
        RotatedKey again = engine.rotateKey();
        assertThat(again.confirmed()).isTrue();
        // the pending mark the failed store left: the stored key is confirmed before it rotates
        assertThat(cloud.calls).containsExactly("confirm " + DEVICE, "rotate " + DEVICE, "confirm " + DEVICE);
        assertThat(cloud.accepts(DEVICE, lost)).as("the key whose storing failed").isFalse();
        assertThat(cloud.accepts(DEVICE, KEY)).isFalse();
        assertThat(cloud.accepts(DEVICE, vault.key())).isTrue();
    }

    @Test
    void anAnswerLostOnTheWayIsVoidedByTheRetriedRotation() throws Exception {
        provisioned();
        cloud.loseRotations(1);
        assertThat(code(engine::rotateKey)).isEqualTo(CloudCallException.UNREACHABLE);
        String lost = cloud.key(DEVICE);
        assertThat(vault.key()).isEqualTo(KEY);
        assertThat(cloud.accepts(DEVICE, KEY)).isTrue();

        assertThat(engine.rotateKey().confirmed()).isTrue();
        assertThat(cloud.accepts(DEVICE, lost)).isFalse();
        assertThat(cloud.accepts(DEVICE, KEY)).isFalse();
        assertThat(cloud.accepts(DEVICE, vault.key())).isTrue();
    }

    @Test
    void aConfirmationThatFailsForNowIsRetriedByTheEngine() throws Exception {
        provisioned();
        cloud.failConfirm(FakeCloud.unreachable(), 2);
        RotatedKey rotated = engine.rotateKey();

        assertThat(rotated).isEqualTo(new RotatedKey(DEVICE, FakeCloud.ROTATED_EXPIRES, FakeCloud.PREVIOUS_UNTIL,
                false));
        assertThat(vault.key()).isEqualTo(cloud.key(DEVICE));
        settle(); // the retries, with backoff
        assertThat(cloud.count("confirm")).isEqualTo(3);
        assertThat(vault.pending()).isNull();
        assertThat(cloud.accepts(DEVICE, KEY)).isFalse();
        assertThat(vault.identity()).isNotNull();
    }

    @Test
    void aNewKeyTheCloudRefusesAtItsConfirmationIsReplacedByThePreviousKey() throws Exception {
        provisioned();
        cloud.failConfirm(new CloudCallException("invalid_credentials", "Unknown API key.", true, 401, null), 1);
        assertThat(code(engine::rotateKey)).isEqualTo("invalid_credentials");
        assertThat(vault.key()).isEqualTo(KEY);
        assertThat(vault.pending()).isNull();
        assertThat(cloud.accepts(DEVICE, KEY)).as("in its overlap window").isTrue();
    }

    @Test
    void aRestartBetweenStoringAndConfirmingConfirmsTheStoredKey() throws Exception {
        provisioned();
        cloud.failConfirm(FakeCloud.unreachable(), 1_000); // the cloud goes away after the rotation
        assertThat(engine.rotateKey().confirmed()).isFalse();
        engine.close(); // the agent stops before the confirmation went through
        String rotated = vault.key();
        assertThat(rotated).isNotEqualTo(KEY);
        assertThat(vault.pending()).as("the stored key is marked unconfirmed").isNotNull();
        assertThat(cloud.accepts(DEVICE, KEY)).isTrue();

        cloud.clearConfirmFailures();
        cloud.calls.clear();
        vault.withdrawConfirmation(); // the mark lives in memory: gone with the process
        start();
        assertThat(cloud.calls).containsExactly("confirm " + DEVICE);
        assertThat(vault.key()).isEqualTo(rotated);
        assertThat(vault.pending()).isNull();
        assertThat(cloud.accepts(DEVICE, KEY)).isFalse();
        assertThat(vault.identity()).isNotNull();
    }

    @Test
    void aDeviceWithoutConfirmedCredentialsHasNothingToRotate() throws Exception {
        start();
        assertThatThrownBy(engine::rotateKey).isInstanceOfSatisfying(ProvisioningException.class,
                e -> assertThat(e.code()).isEqualTo(KeyRotation.NOT_PROVISIONED));
        assertThat(cloud.calls).isEmpty();
    }

    @Test
    void aStoppedEngineAnswersAtOnce() throws Exception {
        provisioned();
        engine.close();
        assertThat(code(engine::rotateKey)).isEqualTo("provisioning_unavailable");
    }
}
