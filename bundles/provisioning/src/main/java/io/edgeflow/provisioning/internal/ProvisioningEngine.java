package io.edgeflow.provisioning.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;

import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.provisioning.ProvisioningState;
import io.edgeflow.api.provisioning.RotatedKey;
import io.edgeflow.api.status.StatusError;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultState;
import io.edgeflow.api.vault.VaultStatus;

import io.edgeflow.provisioning.internal.Job.Source;
import io.edgeflow.provisioning.internal.Job.Step;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioning state machine (docs/provisioning.md). Level-triggered: each run looks at the settings,
 * the vault and what is in progress, and takes at most one step of network work; a change of settings, the
 * arrival of the cloud endpoint, a retry timer or a local API call starts another run. Runs happen on one
 * worker thread, so no two steps ever overlap.
 * <p>
 * What must survive a crash lives in the vault: the credentials, and the {@code request_id} of a
 * registration until the cloud confirmed it. Everything else here (the step in progress, the backoff, the
 * last error) is rebuilt from the vault and the settings after a restart, and the protocol makes every
 * step safe to repeat: a registration retried with the same {@code request_id} returns the same device
 * with a fresh key, and a confirmation sent twice is harmless.
 * <p>
 * Nothing here depends on the local clock being right: delays are durations, the cloud's times are kept
 * as the cloud wrote them, and the local clock only stamps when an error was first seen.
 * <p>
 * Threading: worker confinement. Runs, and everything they touch that has no other rule ({@code applied},
 * {@code confirmedDevice}, the codes, the backoff), belong to the one worker thread. The entry points other
 * threads call ({@link #update}, {@link #kick}, {@link #provision}, {@link #state}, {@link #close}) only read
 * volatile fields, use the {@link JobSlot} and the retry timer (under this object's lock), and hand the rest to
 * the worker. The rooms around it: {@link JobSlot} (the job and its caller), {@link ProvisioningReport} (what
 * provisioning reports), {@link CloudSteps} (the network steps), {@link PreProvisioned} (adopting configured
 * credentials).
 */
final class ProvisioningEngine implements AutoCloseable {
    /** Error code: a code in the settings or the local API that is not of the shape PROV-XXXX-XXXX. */
    static final String CODE_MALFORMED = "code_malformed";
    /** Error code: an API key without a Device ID, or the other way round. */
    static final String CREDENTIALS_INCOMPLETE = "credentials_incomplete";
    /** Error code: a local API call while a registration is under way. */
    static final String IN_PROGRESS = "provisioning_in_progress";
    /** Error code: a local API call while SaaS is disabled. */
    static final String SAAS_DISABLED = "saas_disabled";

    private static final Logger LOG = LoggerFactory.getLogger(ProvisioningEngine.class);

    private final CredentialVault vault;
    private final Function<SaasSettings, CloudApi> cloud;
    private final ConfigEditor config;
    private final UsedCodes usedCodes;
    private final IdentityPublisher identity;
    private final Clock clock;
    private final LongUnaryOperator random;
    private final ScheduledExecutorService worker;
    private final AtomicBoolean runQueued = new AtomicBoolean();
    private final JobSlot jobs = new JobSlot();
    private final ProvisioningReport report;
    private final PreProvisioned preProvisioned;
    private final CloudSteps steps;
    private final KeyRotation rotation;

    /** The latest settings, for the status and the local API's callers. */
    private volatile SaasSettings settings;
    /**
     * The settings the state machine acts on: the worker's own copy, replaced in the same task that resets
     * what the previous settings left behind, so that no run sees new settings with stale refusals.
     */
    private SaasSettings applied;
    /** The device whose stored credentials this run of the agent knows to be confirmed. */
    private String confirmedDevice;
    private volatile CloudApi callInProgress;
    private volatile boolean closed;

    private ProvisioningCode refusedCode;
    private ProvisioningCode ignoredCode;
    private Backoff backoff;
    private ScheduledFuture<?> retry;

    ProvisioningEngine(SaasSettings settings, CredentialVault vault, Function<SaasSettings, CloudApi> cloud,
            Supplier<Map<String, Object>> hardwareFacts, Supplier<Map<String, Object>> networkFacts,
            ConfigEditor config, UsedCodes usedCodes, IdentityPublisher identity, Clock clock,
            LongUnaryOperator random, ScheduledExecutorService worker) {
        this.settings = settings;
        this.applied = settings;
        this.vault = vault;
        this.cloud = cloud;
        this.config = config;
        this.usedCodes = usedCodes;
        this.identity = identity;
        this.clock = clock;
        this.random = random;
        this.worker = worker;
        this.backoff = new Backoff(settings.retry(), random);
        this.report = new ProvisioningReport(clock);
        this.preProvisioned = new PreProvisioned(vault, jobs, report, identity, config);
        this.steps = new CloudSteps(vault, jobs, report, identity, config, usedCodes, hardwareFacts, networkFacts);
        this.rotation = new KeyRotation(vault, identity);
    }

    // ---------------------------------------------------------------- events

    /**
     * New settings: what was refused for good may be tried again, the backoff starts over, and a call to
     * the cloud under way for the old settings is cut short.
     *
     * @param next the new settings
     */
    void update(SaasSettings next) {
        SaasSettings previous = settings;
        settings = next;
        boolean link = SaasSettings.linkChanged(previous, next);
        boolean credentials = SaasSettings.credentialsChanged(previous, next);
        boolean sameCode = Objects.equals(previous.code(), next.code());
        try {
            worker.execute(() -> {
                // Runs before any run that sees these settings: a run queued earlier still acts on the old
                // ones, and what it leaves behind is reset here, never what a run under the new ones decided.
                applied = next;
                if (link || credentials || !previous.retry().equals(next.retry())) {
                    backoff = new Backoff(next.retry(), random);
                }
                if (link || credentials) {
                    if (!sameCode) {
                        refusedCode = null;
                    }
                    report.clearPermanent();
                    report.blockedDevice(null);
                    kick(); // a run for the new settings, even if one was already queued before this task
                }
            });
        } catch (RejectedExecutionException e) {
            return; // closing
        }
        if (!link && !credentials) {
            // Nothing to act on: the removal of a used code or of an adopted key (our own edits), a timeout.
            return;
        }
        Job current = jobs.current();
        CloudApi call = callInProgress;
        if (call != null && current != null && current.source != Source.API) {
            call.cancel();
        }
    }

    /** The cloud endpoint came or went: a waiting step may go on. */
    void endpointChanged() {
        kick();
    }

    /** @param seconds the cloud's clock minus the device's, from the last answer's Date header */
    void clockSkew(long seconds) {
        report.clockSkew(seconds);
    }

    /** Runs the state machine soon, unless a run is already queued; a pending retry timer is replaced. */
    void kick() {
        if (closed) {
            return;
        }
        synchronized (this) {
            if (retry != null) {
                retry.cancel(false);
                retry = null;
            }
        }
        if (runQueued.compareAndSet(false, true)) {
            try {
                worker.execute(() -> {
                    runQueued.set(false);
                    runSafely();
                });
            } catch (RejectedExecutionException e) {
                runQueued.set(false); // closing
            }
        }
    }

    private synchronized void scheduleRetry(Duration delay) {
        if (closed) {
            return;
        }
        if (retry != null) {
            retry.cancel(false);
        }
        try {
            retry = worker.schedule(this::runSafely, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            retry = null;
        }
    }

    /**
     * Provisions with a code given through the local API, now, and returns the credentials: the only time
     * the API key is shown.
     *
     * @param code the code
     * @return the new credentials; the caller destroys them
     * @throws ProvisioningException {@value #IN_PROGRESS} if a registration is under way, the cloud's error
     *         code if it refused, a transient code if it could not be reached
     */
    DeviceCredentials provision(ProvisioningCode code) throws ProvisioningException {
        SaasSettings s = settings;
        CompletableFuture<DeviceCredentials> answer = jobs.startForCaller(code, s, closed);
        LOG.info("Provisioning requested through the local API with the code {}", code.masked());
        kick();
        // a registration and a confirmation, each bounded by the request timeout, and some slack
        return JobSlot.await(answer, s.requestTimeout().multipliedBy(2).plusSeconds(15));
    }

    /** Rotates the API key now, on the worker between runs ({@link KeyRotation}); an unconfirmed key is retried. */
    RotatedKey rotateKey() throws ProvisioningException {
        return KeyRotation.request(worker, settings.requestTimeout().multipliedBy(3).plusSeconds(15), () -> rotation
                .rotate(applied, jobs.current() != null, confirmedDevice, () -> cloud.apply(applied), () -> {
                    confirmedDevice = null; // the next run confirms the stored key, as after a restart
                    scheduleRetry(backoff.next(null));
                }));
    }

    /** Stops the worker: calls in progress end, a waiting API caller gets an error. */
    @Override
    public void close() {
        closed = true;
        CloudApi call = callInProgress;
        if (call != null) {
            call.cancel();
        }
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Job current = jobs.current();
        if (current != null && current.caller != null) {
            current.caller.completeExceptionally(new ProvisioningException("provisioning_unavailable",
                    "The provisioning service stopped.", false));
        }
        // the confirmation mark stays in the vault: the device keeps its identity while provisioning is updated
    }

    // ---------------------------------------------------------------- the state machine

    private void runSafely() {
        if (closed) {
            return;
        }
        try {
            run();
        } catch (RuntimeException e) {
            // a defect of ours: keep the agent provisioning, with a pause, and say so
            LOG.error("Provisioning step failed unexpectedly: {}", e.toString(), e);
            report.transientError("internal_error", "The provisioning step failed "
                    + "unexpectedly (" + e.getClass().getSimpleName() + "); retrying. See the agent log.");
            scheduleRetry(backoff.next(null));
        }
    }

    private void run() {
        SaasSettings s = applied;
        if (!s.enabled() || s.problem() != null) {
            jobs.abandon(s.enabled() ? new ProvisioningException(s.problem().code(), s.problem().message(), true)
                    : new ProvisioningException(SAAS_DISABLED, "SaaS was disabled.", true));
            report.clearTransient();
            identity.withdraw();
            return;
        }
        if (s.hasApiKey()) {
            PreProvisioned.Outcome adopted = preProvisioned.adopt(s);
            if (adopted == PreProvisioned.Outcome.STORED) {
                confirmedDevice = null;
            } else if (adopted == PreProvisioned.Outcome.FAILED) {
                return;
            }
        } else if (s.code() != null) {
            considerConfiguredCode(s.code());
        } else if (s.deviceId() != null && s.codeText() == null && jobs.current() == null && vaultIsEmpty()) {
            report.permanentError(CREDENTIALS_INCOMPLETE, "A Device ID is configured but "
                    + "no API key (EDGEFLOW_API_KEY); give both, or a provisioning code.");
        }
        Job current = jobs.current();
        if (current != null && current.source == Source.CONFIG && !current.code.equals(s.code())) {
            // the code was changed or removed while it was being used
            jobs.abandon(null);
            current = null;
        }
        VaultStatus stored = vaultStatus();
        if (current == null && stored.state() == VaultState.STORED && !stored.deviceId().equals(confirmedDevice)
                && !stored.deviceId().equals(report.blockedDevice())) {
            if (stored.pendingRequest()) {
                // credentials stored, then the agent stopped before the cloud confirmed them
                current = jobs.startIfFree(Job.confirm(stored.deviceId(), Source.STORED));
            } else {
                confirmedDevice = stored.deviceId(); // confirmed in an earlier run of the agent
            }
        }
        if (current != null) {
            advance(current, s);
            return;
        }
        settle(stored);
    }

    private boolean vaultIsEmpty() {
        return vaultStatus().state() == VaultState.EMPTY;
    }

    /** A configured code: ignored if it already provisioned this device, else the job that uses it. */
    private void considerConfiguredCode(ProvisioningCode code) {
        if (usedCodes.contains(code)) {
            if (!code.equals(ignoredCode)) {
                LOG.info("The provisioning code {} already provisioned this device: ignored", code.masked());
                ignoredCode = code;
            }
            config.removeQuietly(SaasConfiguration.PROVISIONING_CODE, value -> code.equals(ProvisioningCode.parse(
                    String.valueOf(value)).orElse(null)));
            return;
        }
        if (code.equals(refusedCode)) {
            return; // refused for good; shown in the status until the settings change
        }
        synchronized (jobs) {
            Job current = jobs.current();
            if (current == null || current.source == Source.STORED
                    || current.source == Source.CONFIG && !current.code.equals(code)) {
                jobs.replace(Job.register(code, Source.CONFIG, null));
                VaultStatus stored = vaultStatus();
                if (stored.state() == VaultState.STORED) {
                    LOG.info("The provisioning code {} is configured while the device holds the credentials of {}: "
                            + "it registers with the code; the current credentials stay until new ones are stored",
                            code.masked(), stored.deviceId());
                }
            }
        }
    }

    private void advance(Job current, SaasSettings s) {
        CloudApi api = cloud.apply(s);
        if (api == null) {
            return; // the endpoint for these settings is not registered yet; its arrival starts another run
        }
        callInProgress = api;
        try {
            if (current.step == Step.REGISTER) {
                steps.register(current, s, api);
                confirmedDevice = null;
                report.blockedDevice(null);
            }
            if (current.step == Step.CONFIRM && jobs.current() == current) {
                if (steps.confirm(current, s, api)) {
                    confirmedDevice = current.deviceId;
                    backoff.reset();
                } else {
                    kick(); // the stored credentials changed meanwhile: start over
                }
            }
        } catch (CloudCallException e) {
            failed(current, e);
        } catch (VaultException e) {
            vaultFailed(current, e);
        } finally {
            callInProgress = null;
        }
    }

    private void failed(Job current, CloudCallException e) {
        if (closed) {
            return;
        }
        if (!e.permanent()) {
            StatusError before = report.transientError();
            boolean first = before == null || !before.code().equals(e.code());
            report.transientError(e.code(), e.getMessage());
            if (current.source == Source.API && current.step == Step.REGISTER) {
                // the caller hears it now and may try again; the request_id stays in the vault for that
                LOG.warn("Provisioning through the local API failed: {} ({})", e.code(), e.getMessage());
                jobs.finish(current, e.toProvisioningException());
                return;
            }
            if (current.caller != null && current.issued != null) {
                jobs.finish(current, null); // registered and stored: the caller gets the key; confirming goes on
                jobs.startIfFree(current);
            }
            Duration delay = backoff.next(e.retryAfter());
            if (first) {
                LOG.warn("Provisioning: {} ({}); retrying in {} ms, then with growing delays up to {} s", e.code(),
                        e.getMessage(), delay.toMillis(), applied.retry().cap().toSeconds());
            } else {
                LOG.debug("Provisioning: {} again; retry {} in {} ms", e.code(), backoff.attempts(), delay.toMillis());
            }
            scheduleRetry(delay);
            return;
        }
        if (current.step == Step.CONFIRM && "invalid_credentials".equals(e.code()) && current.code != null
                && !current.reRegistered) {
            // The claim lapsed before it was confirmed: the same request_id registers again.
            LOG.info("The cloud no longer accepts the key of {} ({}); registering again", current.deviceId,
                    e.getMessage());
            current.reRegistered = true;
            current.step = Step.REGISTER;
            kick();
            return;
        }
        if (current.step == Step.REGISTER && e.refusesCode()) {
            try {
                vault.clearPendingRequestId();
            } catch (VaultException ve) {
                LOG.warn("Could not clear the pending registration: {}", ve.getMessage());
            }
            if (current.source == Source.CONFIG) {
                refusedCode = current.code;
            }
        }
        if (current.step == Step.CONFIRM) {
            report.blockedDevice(current.deviceId);
            identity.withdraw();
        }
        report.clearTransient();
        backoff.reset();
        String what = current.code != null ? "the code " + current.code.masked() : "the credentials of "
                + current.deviceId;
        if (current.source != Source.API || vaultStatus().state() != VaultState.STORED) {
            // A refused local API call was answered to its caller; it is no error of a provisioned device.
            report.permanentError(e.code(), e.getMessage());
        }
        LOG.warn("Provisioning with {} stopped: the cloud refused it ({}: {})", what, e.code(), e.getMessage());
        jobs.finish(current, e.toProvisioningException());
        kick(); // settle the identity and status on what the vault holds
    }

    /**
     * The vault failed during a step. Without a code to register with, there is nothing left to do (the status
     * shows the vault's state); otherwise the step is retried, as the disk may recover.
     */
    private void vaultFailed(Job current, VaultException e) {
        if (current.code == null && current.step == Step.CONFIRM) {
            LOG.info("The credentials of {} can no longer be read from the vault ({}); nothing to confirm",
                    current.deviceId, e.getMessage());
            jobs.finish(current, new ProvisioningException(e.code(), e.getMessage(), false));
            return;
        }
        report.transientError(e.code(), "The credential vault failed: "
                + e.getMessage());
        if (current.caller != null && current.step == Step.REGISTER) {
            jobs.finish(current, new ProvisioningException(e.code(), "The credential vault failed: " + e.getMessage(),
                    false));
            return;
        }
        Duration delay = backoff.next(null);
        LOG.warn("Provisioning: the credential vault failed ({}); retrying in {} ms", e.getMessage(), delay.toMillis());
        scheduleRetry(delay);
    }

    private void settle(VaultStatus stored) {
        if (stored.state() == VaultState.STORED && stored.deviceId().equals(confirmedDevice)
                && !stored.deviceId().equals(report.blockedDevice())) {
            if (identity.publish(stored.deviceId(), stored.expiresAt())) {
                LOG.info("Device {} holds confirmed credentials for the cloud at {}", stored.deviceId(),
                        applied.displayUrl());
            }
        } else {
            identity.withdraw();
        }
    }

    private VaultStatus vaultStatus() {
        return CloudSteps.vaultStatus(vault);
    }

    /** @return what provisioning is doing and what stops it; never blocks on the network */
    ProvisioningState state() {
        return report.state(settings, jobs.current(), vaultStatus());
    }

    // for tests
    Job job() {
        return jobs.current();
    }
}
