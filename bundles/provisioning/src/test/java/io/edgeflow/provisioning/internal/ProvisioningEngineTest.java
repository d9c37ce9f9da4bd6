package io.edgeflow.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.status.SaasState;
import io.edgeflow.api.status.SaasStatus;
import io.edgeflow.api.status.StatusError;
import io.edgeflow.api.tunnel.TunnelState;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.localapi.internal.LinkStatus;

/**
 * The state machine with a fake cloud, a vault in memory and Config Admin as a map: every path of
 * docs/provisioning.md, with retry delays of a few milliseconds.
 */
class ProvisioningEngineTest {
    private static final String CODE = "PROV-A1B2-C3D4";
    private static final String CODE2 = "PROV-Z9Y8-X7W6";
    /** A clock stuck in 1970, as on a device without a real-time clock: nothing may depend on it. */
    private static final Clock CLOCK_1970 = Clock.fixed(Instant.EPOCH.plusSeconds(42), ZoneOffset.UTC);

    private final FakeVault vault = new FakeVault();
    private final FakeCloud cloud = new FakeCloud();
    private final Map<String, Object> config = new HashMap<>(Map.of("enabled", true, "url", "127.0.0.1:8443",
            "retry_initial_delay_ms", 5, "retry_max_delay_seconds", 1));
    private final IdentityPublisher identity = new IdentityPublisher(vault);
    private final UsedCodes usedCodes = new UsedCodes(null);
    private final AtomicReference<Boolean> endpointUp = new AtomicReference<>(true);
    private final LinkStatus link = new LinkStatus(CLOCK_1970);
    private ProvisioningEngine engine;
    private ScheduledThreadPoolExecutor worker;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private ProvisioningEngine start() {
        worker = new ScheduledThreadPoolExecutor(1);
        worker.setRemoveOnCancelPolicy(true); // as the provisioner's: a replaced retry timer leaves the queue
        engine = new ProvisioningEngine(Configs.settings(config), vault, s -> endpointUp.get() ? cloud : null,
                () -> Map.of("board_model", "test board"), () -> Map.of("hostname", "edgeflow-test"),
                (property, onlyIf) -> {
                    synchronized (config) {
                        Object value = config.get(property);
                        if (value != null && onlyIf.test(value)) {
                            config.remove(property);
                            engine.update(Configs.settings(config)); // as Config Admin calls back
                        }
                    }
                }, usedCodes, identity, CLOCK_1970, bound -> bound, worker);
        engine.kick();
        return engine;
    }

    private void configure(String property, Object value) {
        synchronized (config) {
            if (value == null) {
                config.remove(property);
            } else {
                config.put(property, value);
            }
            engine.update(Configs.settings(config));
        }
    }

    /** The status as the local API composes it, from provisioning's state and the vault's, without a tunnel. */
    private SaasStatus status() {
        return status(null);
    }

    private SaasStatus status(TunnelState tunnel) {
        return link.compose(engine.state(), vault.status(), tunnel);
    }

    /** @return the code of the status's error, or null; one reading of the status */
    private String errorCode() {
        StatusError error = status().error();
        return error == null ? null : error.code();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(2);
        }
    }

    private void awaitState(SaasState state) throws InterruptedException {
        await("status " + state + ", is " + status(), () -> status().state() == state);
    }

    /**
     * Waits until the worker has come to rest: every task queued so far has run and none waits (no retry timer),
     * so that what the test checks next is all that will ever happen.
     */
    private void settle() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            worker.submit(() -> { }).get(10, TimeUnit.SECONDS); // everything queued before it has run
            if (worker.getQueue().isEmpty() && worker.getActiveCount() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the worker did not come to rest within 10 s: "
                        + worker.getQueue().size() + " tasks waiting");
            }
        }
    }

    @Test
    void disabledContactsNothing() throws Exception {
        config.put("enabled", false);
        config.put(".provisioning_code", CODE);
        cloud.code(CODE, "active");
        start();
        settle();
        assertThat(status().state()).isEqualTo(SaasState.DISABLED);
        assertThat(cloud.calls).isEmpty();
        assertThat(vault.identity()).isNull();
    }

    @Test
    void aCodeIsRegisteredStoredConfirmedAndThenRemovedFromTheConfiguration() throws Exception {
        config.put(".provisioning_code", "prov-a1b2-c3d4"); // as a person may type it
        cloud.code(CODE, "active");
        start();
        awaitState(SaasState.PROVISIONED);

        assertThat(cloud.calls).containsExactly("register PROV-****-C3D4", "confirm dev_1");
        assertThat(cloud.confirmFacts).as("the registration reported them").containsExactly(
                Map.of("hardware", Map.of(), "network", Map.of()));
        assertThat(vault.status().deviceId()).isEqualTo("dev_1");
        assertThat(vault.status().expiresAt()).isEqualTo(FakeCloud.EXPIRES);
        assertThat(vault.key()).isEqualTo(cloud.key("dev_1"));
        assertThat(vault.pending()).as("the request_id is forgotten once confirmed").isNull();
        assertThat(vault.operations).containsExactly("pending", "store dev_1", "clear pending");
        assertThat(cloud.isConfirmed("dev_1")).isTrue();
        await("the used code removed", () -> {
            synchronized (config) {
                return !config.containsKey(".provisioning_code");
            }
        });
        assertThat(usedCodes.contains(ProvisioningCode.parse(CODE).orElseThrow())).isTrue();
        await("identity", () -> vault.identity() != null);
        assertThat(vault.identity().deviceId()).isEqualTo("dev_1");
        SaasStatus status = status();
        assertThat(status.deviceId()).isEqualTo("dev_1");
        assertThat(status.credentialsExpireAt()).isEqualTo(FakeCloud.EXPIRES);
        assertThat(status.error()).isNull();
        assertThat(status.saasUrl()).isEqualTo("127.0.0.1:8443");
    }

    @Test
    void aUsedCodeStillInTheEnvFileIsIgnored() throws Exception {
        vault.store(new DeviceCredentials("dev_7", "efk_stored_key_0123456789".toCharArray(), FakeCloud.EXPIRES, null));
        usedCodes.add(ProvisioningCode.parse(CODE).orElseThrow());
        config.put(".provisioning_code", CODE);
        start();
        await("the used code removed", () -> !config.containsKey(".provisioning_code"));
        settle();
        assertThat(cloud.calls).isEmpty();
        assertThat(status().state()).isEqualTo(SaasState.PROVISIONED);
        assertThat(status().deviceId()).isEqualTo("dev_7");
        assertThat(vault.identity().deviceId()).isEqualTo("dev_7");
    }

    @Test
    void storedCredentialsAreUsedWithoutAskingTheCloud() throws Exception {
        vault.store(new DeviceCredentials("dev_7", "efk_stored_key_0123456789".toCharArray(), FakeCloud.EXPIRES, null));
        start();
        await("identity", () -> vault.identity() != null);
        settle();
        assertThat(cloud.calls).isEmpty();
        assertThat(status().state()).isEqualTo(SaasState.PROVISIONED);
    }

    @Test
    void preProvisionedCredentialsGoToTheVaultAndLeaveTheConfiguration() throws Exception {
        String key = cloud.preProvisioned("dev_admin", "efk_admin_made_key_abcdefghijklmnop");
        config.put("device_id", "dev_admin");
        config.put(".api_key", key);
        start();
        await("identity", () -> vault.identity() != null);

        assertThat(config).doesNotContainKey(".api_key").containsEntry("device_id", "dev_admin");
        assertThat(vault.key()).isEqualTo(key);
        assertThat(vault.status().expiresAt()).as("the expiry comes from the confirmation").isEqualTo(FakeCloud.EXPIRES);
        assertThat(vault.pending()).isNull();
        assertThat(cloud.calls).containsExactly("confirm dev_admin");
        assertThat(cloud.confirmFacts).as("the cloud learns the facts from the confirmation").containsExactly(
                Map.of("hardware", Map.of("board_model", "test board"), "network", Map.of("hostname", "edgeflow-test")));
        assertThat(status().state()).isEqualTo(SaasState.PROVISIONED);
        assertThat(status().deviceId()).isEqualTo("dev_admin");
    }

    @Test
    void refusedPreProvisionedCredentialsAreAnErrorAndNotRetried() throws Exception {
        cloud.preProvisioned("dev_admin", "efk_the_right_key_abcdefghijklmnop");
        config.put("device_id", "dev_admin");
        config.put(".api_key", "efk_a_wrong_key_abcdefghijklmnopqrs");
        start();
        awaitState(SaasState.ERROR);
        settle();
        assertThat(cloud.calls).containsExactly("confirm dev_admin");
        assertThat(status().error().code()).isEqualTo("invalid_credentials");
        assertThat(status().error().since()).isNotNull();
        assertThat(status().deviceId()).isEqualTo("dev_admin");
        assertThat(vault.identity()).isNull();
        assertThat(config).doesNotContainKey(".api_key");
    }

    @Test
    void transientFailuresAreRetriedWithTheSameRequestIdUntilTheCloudAnswers() throws Exception {
        config.put(".provisioning_code", CODE);
        cloud.code(CODE, "active");
        cloud.failRegister(FakeCloud.unreachable(), 5);
        cloud.failConfirm(FakeCloud.unreachable(), 2);
        start();
        await("an error while retrying", () -> status().error() != null);
        assertThat(status().state()).isEqualTo(SaasState.PROVISIONING);
        assertThat(status().error().code()).isEqualTo("cloud_unreachable");
        awaitState(SaasState.PROVISIONED);
        assertThat(cloud.count("register")).isEqualTo(6);
        assertThat(cloud.count("confirm")).isEqualTo(3);
        assertThat(cloud.requestIds).hasSize(6).allMatch(id -> id.equals(cloud.requestIds.get(0)));
        assertThat(status().error()).isNull();
        // exponential: with a 5 ms base and the largest jitter, the gaps grow 5, 10, 20, 40, 80 ms
        long gap1 = cloud.callNanos.get(1) - cloud.callNanos.get(0);
        long gap5 = cloud.callNanos.get(5) - cloud.callNanos.get(4);
        assertThat(TimeUnit.NANOSECONDS.toMillis(gap5)).isGreaterThanOrEqualTo(75);
        assertThat(gap5).isGreaterThan(gap1);
    }

    @Test
    void theErrorKeepsItsSinceWhileItLasts() throws Exception {
        config.put(".provisioning_code", CODE);
        cloud.code(CODE, "active");
        cloud.failRegister(FakeCloud.unreachable(), 8);
        start();
        await("an error", () -> status().error() != null);
        StatusError first = status().error();
        await("more attempts", () -> cloud.count("register") >= 4);
        assertThat(status().error().since()).isEqualTo(first.since());
    }

    @Test
    void aLostAnswerIsSurvivedWithTheSameRequestId() throws Exception {
        config.put(".provisioning_code", CODE);
        cloud.code(CODE, "active");
        cloud.loseRegistrations(1); // the cloud registers us, the answer never arrives
        start();
        awaitState(SaasState.PROVISIONED);
        assertThat(cloud.calls).containsExactly("register PROV-****-C3D4", "register PROV-****-C3D4", "confirm dev_1");
        assertThat(cloud.requestIds.get(1)).isEqualTo(cloud.requestIds.get(0));
        assertThat(vault.key()).as("the fresh key of the retry").isEqualTo(cloud.key("dev_1"));
        assertThat(cloud.isConfirmed("dev_1")).isTrue();
    }

    @Test
    void aCrashBeforeTheConfirmationIsResumedWithTheSameRequestId() throws Exception {
        // an earlier run stored the request_id and the credentials, then stopped before confirming
        cloud.code(CODE, "active");
        String requestId = "3f2b6a1c-8d4e-4f7a-9b1c-2d3e4f5a6b7c";
        CloudApi.Registration first = cloud.register(ProvisioningCode.parse(CODE).orElseThrow(), requestId, Map.of(),
                Map.of());
        vault.storePendingRequestId(requestId);
        vault.store(new DeviceCredentials(first.deviceId(), first.apiKey(), first.expiresAt(), null));
        cloud.calls.clear();
        cloud.requestIds.clear();
        config.put(".provisioning_code", CODE); // still in the env file
        start();
        await("confirmed", () -> vault.identity() != null);
        assertThat(status().state()).isEqualTo(SaasState.PROVISIONED);
        assertThat(cloud.requestIds).containsExactly(requestId);
        assertThat(status().deviceId()).isEqualTo(first.deviceId());
        assertThat(cloud.isConfirmed(first.deviceId())).isTrue();
    }

    @Test
    void storedButUnconfirmedCredentialsWithoutACodeAreConfirmed() throws Exception {
        cloud.code(CODE, "active");
        CloudApi.Registration first = cloud.register(ProvisioningCode.parse(CODE).orElseThrow(),
                "3f2b6a1c-8d4e-4f7a-9b1c-2d3e4f5a6b7c", Map.of(), Map.of());
        vault.storePendingRequestId("3f2b6a1c-8d4e-4f7a-9b1c-2d3e4f5a6b7c");
        vault.store(new DeviceCredentials(first.deviceId(), first.apiKey(), first.expiresAt(), null));
        cloud.calls.clear();
        cloud.failConfirm(FakeCloud.unreachable(), 2);
        start();
        await("identity", () -> vault.identity() != null);
        assertThat(cloud.calls).containsExactly("confirm dev_1", "confirm dev_1", "confirm dev_1");
        assertThat(vault.pending()).isNull();
        assertThat(status().state()).isEqualTo(SaasState.PROVISIONED);
    }

    @Test
    void aRunQueuedBeforeNewSettingsCannotHaveTheirRefusalUndoneAndTriedAgain() throws Exception {
        cloud.code(CODE, "expired");
        cloud.code(CODE2, "consumed");
        config.put(".provisioning_code", CODE);
        start();
        await("code_expired", () -> "code_expired".equals(errorCode()));
        settle();
        cloud.calls.clear();
        // The worker busy; a run queued (as the arrival of a cloud endpoint does); then a new code behind it.
        // This is the order Config Admin can produce when one change moves both the endpoint and the code.
        CountDownLatch release = new CountDownLatch(1);
        worker.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        engine.endpointChanged();
        configure(".provisioning_code", CODE2);
        release.countDown();
        await("code_consumed", () -> "code_consumed".equals(errorCode()));
        settle();
        assertThat(cloud.calls).as("the new code is tried once, not again after its refusal").hasSize(1);
        assertThat(errorCode()).as("and its refusal stays shown").isEqualTo("code_consumed");
    }

    @Test
    void refusedCodesStopAndShowTheCloudsErrorCode() throws Exception {
        for (String[] c : new String[][] {{"PROV-EXP1-RED2", "expired"}, {"PROV-C0N5-MED1", "consumed"},
                {"PROV-REV0-KED1", "revoked"}, {"PROV-NKN0-WN12", null}}) {
            vault.clear();
            cloud.calls.clear();
            if (c[1] != null) {
                cloud.code(c[0], c[1]);
            }
            config.put(".provisioning_code", c[0]);
            if (engine == null) {
                start();
            } else {
                engine.update(Configs.settings(config));
            }
            String expected = c[1] == null ? "code_invalid" : "code_" + c[1];
            await(expected, () -> expected.equals(errorCode()));
            settle();
            assertThat(cloud.calls).as(expected + " is not retried").hasSize(1);
            SaasStatus status = status();
            assertThat(status.state()).isEqualTo(SaasState.ERROR);
            assertThat(status.error().since()).isNotNull();
            assertThat(status.error().message()).doesNotContain(c[0]);
            assertThat(vault.pending()).as("a refused registration leaves no request pending").isNull();
            assertThat(config).as("a refused code stays, for the operator to see").containsKey(".provisioning_code");
        }
    }

    @Test
    void aMalformedCodeIsAnErrorWithoutContactingTheCloud() throws Exception {
        config.put(".provisioning_code", "PROV-1234");
        start();
        awaitState(SaasState.ERROR);
        settle();
        assertThat(status().error().code()).isEqualTo("code_malformed");
        assertThat(status().error().message()).doesNotContain("PROV-1234");
        assertThat(cloud.calls).isEmpty();
    }

    @Test
    void aNewCodeReplacesTheCredentialsOnlyOnceNewOnesAreStored() throws Exception {
        cloud.code(CODE, "active");
        cloud.code(CODE2, "active");
        config.put(".provisioning_code", CODE);
        start();
        await("identity dev_1", () -> vault.identity() != null);

        cloud.holdRegistrations();
        configure(".provisioning_code", CODE2);
        awaitState(SaasState.PROVISIONING);
        // while the new registration is under way, the old credentials are kept and in use
        assertThat(vault.status().deviceId()).isEqualTo("dev_1");
        assertThat(status().deviceId()).isEqualTo("dev_1");
        assertThat(vault.identity().deviceId()).isEqualTo("dev_1");
        cloud.releaseRegistrations();

        await("identity dev_2", () -> vault.identity() != null && vault.identity().deviceId().equals("dev_2"));
        assertThat(vault.status().deviceId()).isEqualTo("dev_2");
        assertThat(status().state()).isEqualTo(SaasState.PROVISIONED);
        await("the used code removed", () -> {
            synchronized (config) {
                return !config.containsKey(".provisioning_code");
            }
        });
    }

    @Test
    void aRefusedNewCodeKeepsTheOldCredentials() throws Exception {
        vault.store(new DeviceCredentials("dev_7", "efk_stored_key_0123456789".toCharArray(), FakeCloud.EXPIRES, null));
        cloud.code(CODE2, "expired");
        config.put(".provisioning_code", CODE2);
        start();
        await("the refusal", () -> status().error() != null);
        SaasStatus status = status();
        assertThat(status.state()).as("the device is still provisioned with its old credentials")
                .isEqualTo(SaasState.PROVISIONED);
        assertThat(status.deviceId()).isEqualTo("dev_7");
        assertThat(status.error().code()).isEqualTo("code_expired");
        assertThat(vault.key()).isEqualTo("efk_stored_key_0123456789");
    }

    @Test
    void rateLimitingWaitsAtLeastRetryAfter() throws Exception {
        config.put(".provisioning_code", CODE);
        cloud.code(CODE, "active");
        cloud.failRegister(FakeCloud.rateLimited(Duration.ofMillis(1000)), 1);
        start();
        awaitState(SaasState.PROVISIONED);
        long gap = cloud.callNanos.get(1) - cloud.callNanos.get(0);
        assertThat(TimeUnit.NANOSECONDS.toMillis(gap)).isGreaterThanOrEqualTo(950);
    }

    @Test
    void codeInUseIsRetried() throws Exception {
        config.put(".provisioning_code", CODE);
        cloud.code(CODE, "active");
        cloud.failRegister(new CloudCallException("code_in_use", "Another registration holds this code.", false, 409,
                null), 2);
        start();
        awaitState(SaasState.PROVISIONED);
        assertThat(cloud.count("register")).isEqualTo(3);
    }

    @Test
    void aLapsedClaimIsRegisteredAgainWithTheSameRequestId() throws Exception {
        config.put(".provisioning_code", CODE);
        cloud.code(CODE, "active");
        cloud.failConfirm(new CloudCallException("invalid_credentials", "The registration was not confirmed in time.",
                true, 401, null), 1);
        start();
        awaitState(SaasState.PROVISIONED);
        assertThat(cloud.calls).containsExactly("register PROV-****-C3D4", "confirm dev_1", "register PROV-****-C3D4",
                "confirm dev_1");
        assertThat(cloud.requestIds.get(1)).isEqualTo(cloud.requestIds.get(0));
    }

    @Test
    void theCloudBeingDownAtStartIsWaitedOut() throws Exception {
        config.put(".provisioning_code", CODE);
        cloud.code(CODE, "active");
        endpointUp.set(false); // no endpoint yet
        start();
        settle();
        assertThat(status().state()).isEqualTo(SaasState.PROVISIONING);
        assertThat(cloud.calls).isEmpty();
        endpointUp.set(true);
        engine.endpointChanged();
        awaitState(SaasState.PROVISIONED);
    }

    @Test
    void theLocalApiProvisionsAndShowsTheKeyOnce() throws Exception {
        cloud.code(CODE, "active");
        start();
        awaitState(SaasState.UNPROVISIONED);
        DeviceCredentials issued = engine.provision(ProvisioningCode.parse(CODE).orElseThrow());
        assertThat(issued.deviceId()).isEqualTo("dev_1");
        assertThat(new String(issued.apiKey())).isEqualTo(cloud.key("dev_1"));
        assertThat(issued.expiresAt()).isEqualTo(FakeCloud.EXPIRES);
        assertThat(cloud.isConfirmed("dev_1")).isTrue();
        assertThat(status().state()).isEqualTo(SaasState.PROVISIONED);

        assertThatThrownBy(() -> engine.provision(ProvisioningCode.parse(CODE).orElseThrow()))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.code()).isEqualTo("code_consumed");
                    assertThat(e.permanent()).isTrue();
                });
        assertThat(status().deviceId()).as("a refused code keeps the credentials").isEqualTo("dev_1");
        assertThat(status().error()).as("the caller heard the refusal; the device is fine").isNull();
    }

    @Test
    void theLocalApiReportsTransientFailuresAndTheRetryReusesTheRequestId() throws Exception {
        cloud.code(CODE, "active");
        cloud.failRegister(FakeCloud.unreachable(), 1);
        start();
        assertThatThrownBy(() -> engine.provision(ProvisioningCode.parse(CODE).orElseThrow()))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo("cloud_unreachable"));
        String kept = vault.pending();
        assertThat(kept).isNotNull();
        assertThat(engine.provision(ProvisioningCode.parse(CODE).orElseThrow()).deviceId()).isEqualTo("dev_1");
        assertThat(cloud.requestIds).containsExactly(kept, kept);
    }

    @Test
    void theLocalApiCallerHearsTheCloudsRetryAfter() throws Exception {
        cloud.code(CODE, "active");
        cloud.failRegister(FakeCloud.rateLimited(Duration.ofSeconds(7)), 1);
        start();
        assertThatThrownBy(() -> engine.provision(ProvisioningCode.parse(CODE).orElseThrow()))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.code()).isEqualTo("rate_limited");
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
                });
        assertThatThrownBy(() -> {
            cloud.failRegister(FakeCloud.unreachable(), 1);
            engine.provision(ProvisioningCode.parse(CODE).orElseThrow());
        }).isInstanceOfSatisfying(ProvisioningException.class, e -> assertThat(e.retryAfter()).isEmpty());
    }

    @Test
    void theLocalApiRefusesWhileARegistrationIsUnderWay() throws Exception {
        config.put(".provisioning_code", CODE);
        cloud.code(CODE, "active");
        cloud.code(CODE2, "active");
        cloud.failRegister(FakeCloud.unreachable(), 1000);
        start();
        await("retrying", () -> cloud.count("register") > 1);
        assertThatThrownBy(() -> engine.provision(ProvisioningCode.parse(CODE2).orElseThrow()))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo("provisioning_in_progress"));
    }

    @Test
    void theLocalApiRefusesWhileDisabled() throws Exception {
        config.put("enabled", false);
        start();
        assertThatThrownBy(() -> engine.provision(ProvisioningCode.parse(CODE).orElseThrow()))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo("saas_disabled"));
    }

    @Test
    void plainHttpIsAnErrorInTheStatus() throws Exception {
        config.put("url", "http://saas.edgx.cloud:80");
        config.put(".provisioning_code", CODE);
        start();
        awaitState(SaasState.ERROR);
        assertThat(status().error().code()).isEqualTo("saas_url_invalid");
        assertThat(status().error().message()).contains("HTTPS only").contains("https://saas.edgx.cloud:80");
        assertThat(cloud.calls).isEmpty();
    }

    @Test
    void disablingStopsARegistrationAndWithdrawsTheIdentity() throws Exception {
        config.put(".provisioning_code", CODE);
        cloud.code(CODE, "active");
        start();
        await("identity", () -> vault.identity() != null);
        configure("enabled", false);
        awaitState(SaasState.DISABLED);
        await("identity withdrawn", () -> vault.identity() == null);
        assertThat(status().deviceId()).as("the credentials stay in the vault").isEqualTo("dev_1");
    }

    @Test
    void theTunnelDecidesOnlineConnectingOfflineAndRejected() throws Exception {
        vault.store(new DeviceCredentials("dev_7", "efk_stored_key_0123456789".toCharArray(), FakeCloud.EXPIRES, null));
        start();
        await("identity", () -> vault.identity() != null);
        Instant beat = Instant.parse("2026-11-28T12:00:00Z");
        SaasStatus online = status(new TunnelState(TunnelState.Phase.ONLINE, beat, beat, null));
        assertThat(online.state()).isEqualTo(SaasState.ONLINE);
        assertThat(online.connected()).isTrue();
        assertThat(online.lastHeartbeat()).isEqualTo(beat);
        StatusError down = new StatusError("cloud_unreachable", "down");
        assertThat(status(new TunnelState(TunnelState.Phase.CONNECTING, null, null, null)).state())
                .isEqualTo(SaasState.CONNECTING);
        SaasStatus offline = status(new TunnelState(TunnelState.Phase.OFFLINE, beat, null, down));
        assertThat(offline.state()).isEqualTo(SaasState.OFFLINE);
        assertThat(offline.connected()).isFalse();
        assertThat(offline.error()).isEqualTo(down);
        SaasStatus rejected = status(new TunnelState(TunnelState.Phase.REJECTED, beat, null, null));
        assertThat(rejected.state()).isEqualTo(SaasState.ERROR);
        assertThat(rejected.error().code()).isEqualTo("credentials_rejected");
        assertThat(status(new TunnelState(TunnelState.Phase.STOPPED, null, null, null)).state())
                .isEqualTo(SaasState.PROVISIONED);
    }

    @Test
    void aCorruptVaultIsAnErrorUntilNewCredentialsAreStored() throws Exception {
        vault.store(new DeviceCredentials("dev_7", "efk_stored_key_0123456789".toCharArray(), FakeCloud.EXPIRES, null));
        start();
        await("identity", () -> vault.identity() != null);
        vault.corrupt();
        assertThat(status().state()).isEqualTo(SaasState.ERROR);
        assertThat(status().error().code()).isEqualTo("credentials_unreadable");
        vault.store(new DeviceCredentials("dev_8", "efk_other_key_0123456789".toCharArray(), null, null));
        assertThat(status().state()).isEqualTo(SaasState.PROVISIONED);
        assertThat(status().error()).isNull();
    }

    @Test
    void anErrorThatEndsAndComesBackLaterIsSeenAnew() throws Exception {
        Instant[] now = {Instant.parse("2026-11-28T12:00:00Z")};
        Clock ticking = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        config.put("url", "http://saas.edgx.cloud:80");
        engine = new ProvisioningEngine(Configs.settings(config), vault, s -> cloud, Map::of, Map::of,
                (p, onlyIf) -> { }, usedCodes, identity, ticking, bound -> bound, new ScheduledThreadPoolExecutor(1));
        StatusError first = status().error();
        now[0] = now[0].plusSeconds(60);
        assertThat(status().error()).as("the same error keeps its since").isSameAs(first);
        configure("url", "saas.edgx.cloud:443");
        assertThat(status().error()).isNull();
        now[0] = now[0].plusSeconds(60);
        configure("url", "http://saas.edgx.cloud:80");
        assertThat(status().error().since()).isEqualTo(Instant.parse("2026-11-28T12:02:00Z"));
    }

    @Test
    void theClockSkewIsReported() throws Exception {
        start();
        engine.clockSkew(1_795_000_000L);
        assertThat(status().clockSkewSeconds()).isEqualTo(1_795_000_000L);
    }

    @Test
    void theTunnelsCurrentClockSkewWinsOverTheOneMeasuredAtProvisioning() throws Exception {
        start();
        // after a restart nothing was measured by provisioning: the tunnel's figure is shown
        assertThat(status(new TunnelState(TunnelState.Phase.ONLINE, null, null, null, -7200L))
                .clockSkewSeconds()).isEqualTo(-7200L);
        // the device's clock was corrected since provisioning measured 2 hours: the tunnel's new figure wins
        engine.clockSkew(7200L);
        assertThat(status(new TunnelState(TunnelState.Phase.ONLINE, null, null, null, 0L))
                .clockSkewSeconds()).isEqualTo(0L);
        assertThat(status(new TunnelState(TunnelState.Phase.CONNECTING, null, null, null))
                .clockSkewSeconds()).as("no tunnel figure yet").isEqualTo(7200L);
    }

    @Test
    void bothCredentialsAndACodeUseTheCredentials() throws Exception {
        String key = cloud.preProvisioned("dev_admin", "efk_admin_made_key_abcdefghijklmnop");
        cloud.code(CODE, "active");
        config.put("device_id", "dev_admin");
        config.put(".api_key", key);
        config.put(".provisioning_code", CODE);
        start();
        await("identity", () -> vault.identity() != null);
        settle();
        assertThat(config).doesNotContainKeys(".api_key", ".provisioning_code");
        assertThat(cloud.calls).containsExactly("confirm dev_admin");
    }

    @Test
    void aDeviceIdAloneIsIncomplete() throws Exception {
        config.put("device_id", "dev_admin");
        start();
        awaitState(SaasState.ERROR);
        assertThat(status().error().code()).isEqualTo("credentials_incomplete");
        assertThat(List.copyOf(cloud.calls)).isEmpty();
    }
}
