package io.edgeflow.provisioning.internal;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.api.vault.VaultStatus;
import io.edgeflow.provisioning.internal.Job.Source;
import io.edgeflow.provisioning.internal.Job.Step;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two network steps of a job: the registration with a code (credentials into the vault, the
 * {@code request_id} kept until the confirmation) and the confirmation of the stored credentials. What a failed
 * step leads to is {@link ProvisioningEngine}'s to decide.
 * <p>
 * Threading: the provisioning worker's alone; the job it changes is visible to status threads only through
 * {@link Job}'s volatile fields.
 */
final class CloudSteps {
    private static final Logger LOG = LoggerFactory.getLogger(CloudSteps.class);
    private static final Pattern UUID_SHAPE = Pattern
            .compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final CredentialVault vault;
    private final JobSlot jobs;
    private final ProvisioningReport report;
    private final IdentityPublisher identity;
    private final ConfigEditor config;
    private final UsedCodes usedCodes;
    private final Supplier<Map<String, Object>> hardwareFacts;
    private final Supplier<Map<String, Object>> networkFacts;

    CloudSteps(CredentialVault vault, JobSlot jobs, ProvisioningReport report, IdentityPublisher identity,
            ConfigEditor config, UsedCodes usedCodes, Supplier<Map<String, Object>> hardwareFacts,
            Supplier<Map<String, Object>> networkFacts) {
        this.vault = vault;
        this.jobs = jobs;
        this.report = report;
        this.identity = identity;
        this.config = config;
        this.usedCodes = usedCodes;
        this.hardwareFacts = hardwareFacts;
        this.networkFacts = networkFacts;
    }

    /**
     * Registers with the job's code and stores the credentials the cloud issues; the job moves on to
     * {@link Step#CONFIRM}.
     */
    void register(Job current, SaasSettings s, CloudApi api) throws CloudCallException, VaultException {
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
        String oldDevice = vaultStatus(vault).deviceId();
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
        current.deviceId = registration.deviceId();
        current.step = Step.CONFIRM;
    }

    /**
     * Confirms the stored credentials of the job's device; on success the job is finished, the code recorded
     * as used and the identity published.
     *
     * @return false if the stored credentials changed meanwhile (the job ended; another run starts over)
     */
    boolean confirm(Job current, SaasSettings s, CloudApi api) throws CloudCallException, VaultException {
        Optional<DeviceCredentials> stored = vault.load();
        if (stored.isEmpty() || !stored.get().deviceId().equals(current.deviceId)) {
            stored.ifPresent(DeviceCredentials::destroy);
            LOG.info("The stored credentials changed while {} was being confirmed; starting over", current.deviceId);
            jobs.finish(current, new ProvisioningException(ProvisioningEngine.IN_PROGRESS,
                    "The stored credentials changed meanwhile.", false));
            return false;
        }
        DeviceCredentials credentials = stored.get();
        char[] key = credentials.apiKey();
        Instant expiresAt = credentials.expiresAt();
        try {
            // credentials that came without a registration (an administrator created them) report the facts
            // here; a registration with a code reported them already
            boolean report = current.code == null;
            CloudApi.Confirmation confirmation = api.confirm(current.deviceId, key,
                    report ? hardwareFacts.get() : Map.of(), report ? networkFacts.get() : Map.of());
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
        report.blockedDevice(null);
        report.clearTransient();
        report.clearPermanent();
        jobs.finish(current, null);
        identity.publish(current.deviceId, expiresAt);
        LOG.info("Device {} is provisioned: the cloud at {} confirmed its credentials{}", current.deviceId,
                s.displayUrl(), expiresAt == null ? "" : " (API key valid until " + expiresAt + ")");
        if (current.source == Source.CONFIG && current.code != null) {
            config.removeQuietly(SaasConfiguration.PROVISIONING_CODE, value -> current.code.equals(
                    ProvisioningCode.parse(String.valueOf(value)).orElse(null)));
        }
        return true;
    }

    /** @return the vault's status; a vault that fails is reported as unavailable, never thrown */
    static VaultStatus vaultStatus(CredentialVault vault) {
        try {
            return vault.status();
        } catch (RuntimeException e) {
            return VaultStatus.unavailable("it failed (" + e.getClass().getSimpleName() + ")");
        }
    }
}
