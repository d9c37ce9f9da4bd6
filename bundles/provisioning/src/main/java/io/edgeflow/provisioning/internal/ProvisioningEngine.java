package io.edgeflow.provisioning.internal;

import java.io.IOException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.provisioning.ProvisioningState;
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
    private static final Pattern UUID_SHAPE = Pattern
            .compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** Removes a property from the SaaS configuration if its value passes a test. */
    @FunctionalInterface
    interface ConfigEditor {
        /**
         * @param property the property
         * @param onlyIf removed only if its current value passes (it may have changed meanwhile)
         * @throws IOException if Config Admin fails
         */
        void remove(String property, Predicate<Object> onlyIf) throws IOException;
    }

    private final CredentialVault vault;
    private final Function<SaasSettings, CloudApi> cloud;
    private final Supplier<Map<String, Object>> hardwareFacts;
    private final Supplier<Map<String, Object>> networkFacts;
    private final ConfigEditor config;
    private final UsedCodes usedCodes;
    private final IdentityPublisher identity;
    private final Clock clock;
    private final LongUnaryOperator random;
    private final ScheduledExecutorService worker;
    private final AtomicBoolean runQueued = new AtomicBoolean();
    private final JobSlot jobs = new JobSlot();
    private final ProvisioningReport report;

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
        this.hardwareFacts = hardwareFacts;
        this.networkFacts = networkFacts;
        this.config = config;
        this.usedCodes = usedCodes;
        this.identity = identity;
        this.clock = clock;
        this.random = random;
        this.worker = worker;
        this.backoff = new Backoff(settings.retry(), random);
        this.report = new ProvisioningReport(clock);
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
        boolean link = linkChanged(previous, next);
        boolean credentials = credentialsChanged(previous, next);
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

    /** Whether and how the cloud is reached changed. */
    private static boolean linkChanged(SaasSettings a, SaasSettings b) {
        return a.enabled() != b.enabled() || !Objects.equals(a.endpoint(), b.endpoint())
                || !Objects.equals(a.problem() == null ? null : a.problem().message(),
                        b.problem() == null ? null : b.problem().message());
    }

    /** New credentials or a new code to act on; their removal is not. */
    private static boolean credentialsChanged(SaasSettings a, SaasSettings b) {
        if (b.codeText() != null && !Objects.equals(a.codeText(), b.codeText())) {
            return true;
        }
        if (b.deviceId() != null && !Objects.equals(a.deviceId(), b.deviceId())) {
            return true;
        }
        if (b.hasApiKey()) {
            char[] x = a.apiKey();
            char[] y = b.apiKey();
            try {
                return x == null || !Arrays.equals(x, y);
            } finally {
                if (x != null) {
                    Arrays.fill(x, '\0');
                }
                Arrays.fill(y, '\0');
            }
        }
        return false;
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
        // a registration and a confirmation, each bounded by the request timeout, and some slack
        Duration wait = s.requestTimeout().multipliedBy(2).plusSeconds(15);
        if (!s.enabled()) {
            throw new ProvisioningException(SAAS_DISABLED, "SaaS is disabled: enable it (EDGEFLOW_SAAS_ENABLED=true) "
                    + "before provisioning.", true);
        }
        if (s.problem() != null) {
            throw new ProvisioningException(s.problem().code(), s.problem().message(), true);
        }
        CompletableFuture<DeviceCredentials> result = new CompletableFuture<>();
        if (closed) {
            throw new ProvisioningException("provisioning_unavailable", "The provisioning service is stopping.", false);
        }
        if (!jobs.claim(Job.register(code, Source.API, result))) {
            Job other = jobs.current();
            throw new ProvisioningException(IN_PROGRESS, "A provisioning is already in progress"
                    + (other == null || other.code == null ? "" : " (code " + other.code.masked() + ")")
                    + "; see GET /api/v1/saas/status.", false);
        }
        LOG.info("Provisioning requested through the local API with the code {}", code.masked());
        kick();
        try {
            return result.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProvisioningException(IN_PROGRESS, "Interrupted while provisioning; see GET /api/v1/saas/status.",
                    false);
        } catch (TimeoutException e) {
            throw new ProvisioningException(CloudCallException.TIMEOUT, "The provisioning did not finish in time; "
                    + "see GET /api/v1/saas/status.", false);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProvisioningException p) {
                throw p;
            }
            throw new ProvisioningException("internal_error", "Provisioning failed: " + e.getCause(), false);
        }
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
        identity.withdraw();
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
            if (!adoptPreProvisioned(s)) {
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
            removeFromConfig(SaasConfiguration.PROVISIONING_CODE, value -> code.equals(ProvisioningCode.parse(
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

    /**
     * Pre-provisioned credentials: into the vault, then out of Config Admin.
     *
     * @return false if nothing more can be done in this run
     */
    private boolean adoptPreProvisioned(SaasSettings s) {
        if (s.deviceId() == null) {
            report.permanentError(CREDENTIALS_INCOMPLETE, "An API key is configured but no "
                    + "Device ID (EDGEFLOW_DEVICE_ID); give both.");
            return true;
        }
        char[] key = s.apiKey();
        try {
            if (!isValidKeyShape(key)) {
                report.permanentError("invalid_credentials", "The configured API key is "
                        + "not of the shape efk_...; it was not stored.");
                return true;
            }
            boolean alreadyStored = holds(s.deviceId(), key);
            if (!alreadyStored) {
                jobs.abandon(new ProvisioningException(IN_PROGRESS, "Pre-provisioned credentials were configured.",
                        false));
                DeviceCredentials credentials = new DeviceCredentials(s.deviceId(), key, null, s.displayUrl());
                try {
                    // Marked unconfirmed first (a request_id pending), so that an agent stopped before the
                    // cloud confirmed them confirms them at its next start.
                    if (vault.pendingRequestId().isEmpty()) {
                        vault.storePendingRequestId(UUID.randomUUID().toString());
                    }
                    vault.store(credentials);
                } finally {
                    credentials.destroy();
                }
                confirmedDevice = null;
                report.blockedDevice(null);
                identity.withdraw();
                LOG.info("Pre-provisioned credentials of {} (key {}) stored in the credential vault", s.deviceId(),
                        DeviceCredentials.mask(key));
                jobs.replace(Job.confirm(s.deviceId(), Source.PRE_PROVISIONED));
            }
            // No plain copy stays in framework storage: the configuration's key goes.
            String expected = new String(key);
            removeFromConfig(SaasConfiguration.API_KEY, value -> constantTimeEquals(String.valueOf(value), expected));
            if (s.codeText() != null) {
                LOG.warn("Both pre-provisioned credentials and a provisioning code are configured: the credentials "
                        + "were used, the code {} is ignored", ProvisioningCode.maskText(s.codeText()));
                removeFromConfig(SaasConfiguration.PROVISIONING_CODE, value -> true);
            }
            return true;
        } catch (VaultException e) {
            report.permanentError(e.code(), "The pre-provisioned credentials could not be "
                    + "stored: " + e.getMessage());
            LOG.warn("Pre-provisioned credentials of {} not stored: {}", s.deviceId(), e.getMessage());
            return false;
        } finally {
            Arrays.fill(key, '\0');
        }
    }

    private boolean holds(String deviceId, char[] key) throws VaultException {
        Optional<DeviceCredentials> stored = vault.load();
        if (stored.isEmpty()) {
            return false;
        }
        DeviceCredentials c = stored.get();
        char[] storedKey = c.apiKey();
        try {
            return c.deviceId().equals(deviceId) && constantTimeEquals(new String(storedKey), new String(key));
        } finally {
            Arrays.fill(storedKey, '\0');
            c.destroy();
        }
    }

    private static boolean isValidKeyShape(char[] key) {
        if (key.length < 8 || key.length > 256 || !new String(key, 0, 4).equals("efk_")) {
            return false;
        }
        for (char c : key) {
            if (c <= ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private void removeFromConfig(String property, Predicate<Object> onlyIf) {
        try {
            config.remove(property, onlyIf);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not remove {} from the configuration {}: {}", property, SaasConfiguration.PID,
                    e.getMessage());
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
                register(current, s, api);
            }
            if (current.step == Step.CONFIRM && jobs.current() == current) {
                confirm(current, s, api);
            }
        } catch (CloudCallException e) {
            failed(current, e);
        } catch (VaultException e) {
            vaultFailed(current, e);
        } finally {
            callInProgress = null;
        }
    }

    private void register(Job current, SaasSettings s, CloudApi api) throws CloudCallException, VaultException {
        String requestId = vault.pendingRequestId().filter(id -> UUID_SHAPE.matcher(id).matches()).orElse(null);
        if (requestId == null) {
            requestId = UUID.randomUUID().toString();
            vault.storePendingRequestId(requestId); // before sending: a retry after a crash reuses it
        }
        if (!current.firstAttemptLogged) {
            LOG.info("Registering with the cloud at {} using the code {} (request {})", s.displayUrl(),
                    current.code.masked(), requestId);
            current.firstAttemptLogged = true;
        }
        Map<String, Object> hardware = hardwareFacts.get();
        Map<String, Object> network = networkFacts.get();
        CloudApi.Registration registration = api.register(current.code, requestId, hardware, network);
        String oldDevice = vaultStatus().deviceId();
        try {
            DeviceCredentials credentials = new DeviceCredentials(registration.deviceId(), registration.apiKey(),
                    registration.expiresAt(), s.displayUrl());
            if (oldDevice != null && !oldDevice.equals(registration.deviceId())) {
                identity.withdraw(); // the credentials it stands for are being replaced
            }
            try {
                vault.store(credentials); // the pending request_id stays until the confirmation
            } catch (VaultException e) {
                credentials.destroy();
                throw e;
            }
            if (current.caller != null) {
                if (current.issued != null) {
                    current.issued.destroy(); // a registration repeated within the same call
                }
                current.issued = credentials;
            } else {
                credentials.destroy();
            }
            LOG.info("Registered as {}: API key {} stored in the credential vault{}", registration.deviceId(),
                    DeviceCredentials.mask(registration.apiKey()),
                    oldDevice != null && !oldDevice.equals(registration.deviceId()) ? " (replacing " + oldDevice + ")"
                            : "");
        } finally {
            registration.destroy();
        }
        confirmedDevice = null;
        report.blockedDevice(null);
        current.deviceId = registration.deviceId();
        current.step = Step.CONFIRM;
    }

    private void confirm(Job current, SaasSettings s, CloudApi api) throws CloudCallException, VaultException {
        Optional<DeviceCredentials> stored = vault.load();
        if (stored.isEmpty() || !stored.get().deviceId().equals(current.deviceId)) {
            stored.ifPresent(DeviceCredentials::destroy);
            LOG.info("The stored credentials changed while {} was being confirmed; starting over", current.deviceId);
            jobs.finish(current, new ProvisioningException(IN_PROGRESS, "The stored credentials changed meanwhile.", false));
            kick();
            return;
        }
        DeviceCredentials credentials = stored.get();
        char[] key = credentials.apiKey();
        Instant expiresAt = credentials.expiresAt();
        try {
            CloudApi.Confirmation confirmation = api.confirm(current.deviceId, key);
            if (expiresAt == null && confirmation.expiresAt() != null) {
                // pre-provisioned credentials come without their expiry: the cloud tells it
                String url = credentials.saasUrl() != null ? credentials.saasUrl() : s.displayUrl();
                DeviceCredentials withExpiry = new DeviceCredentials(credentials.deviceId(), key,
                        confirmation.expiresAt(), url);
                try {
                    vault.store(withExpiry);
                } finally {
                    withExpiry.destroy();
                }
                expiresAt = confirmation.expiresAt();
            }
        } finally {
            Arrays.fill(key, '\0');
            credentials.destroy();
        }
        if (current.code != null) {
            try {
                usedCodes.add(current.code);
            } catch (IOException e) {
                LOG.warn("Could not record that the code {} was used: {}", current.code.masked(), e.getMessage());
            }
        }
        vault.clearPendingRequestId();
        confirmedDevice = current.deviceId;
        report.blockedDevice(null);
        report.clearTransient();
        report.clearPermanent();
        backoff.reset();
        jobs.finish(current, null);
        identity.publish(current.deviceId, expiresAt);
        LOG.info("Device {} is provisioned: the cloud at {} confirmed its credentials{}", current.deviceId,
                s.displayUrl(), expiresAt == null ? "" : " (API key valid until " + expiresAt + ")");
        if (current.source == Source.CONFIG && current.code != null) {
            removeFromConfig(SaasConfiguration.PROVISIONING_CODE, value -> current.code.equals(
                    ProvisioningCode.parse(String.valueOf(value)).orElse(null)));
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
        try {
            return vault.status();
        } catch (RuntimeException e) {
            return VaultStatus.unavailable("it failed (" + e.getClass().getSimpleName() + ")");
        }
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
