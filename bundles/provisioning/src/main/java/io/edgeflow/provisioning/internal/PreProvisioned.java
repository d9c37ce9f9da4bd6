package io.edgeflow.provisioning.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.vault.CredentialVault;
import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.api.vault.VaultException;
import io.edgeflow.provisioning.internal.Job.Source;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pre-provisioned credentials of the configuration (a Device ID and an API key an administrator created): into
 * the vault, marked unconfirmed, then out of Config Admin, so no plain copy stays in framework storage.
 * <p>
 * Threading: the provisioning worker's alone (one of the steps of {@link ProvisioningEngine}'s runs).
 */
final class PreProvisioned {
    /** What became of the configured credentials in one run. */
    enum Outcome {
        /** Newly stored in the vault, a confirmation job started. */
        STORED,
        /** Already stored, or refused with an error in the report: the run goes on. */
        HANDLED,
        /** The vault failed: nothing more can be done in this run. */
        FAILED
    }

    private static final Logger LOG = LoggerFactory.getLogger(PreProvisioned.class);

    private final CredentialVault vault;
    private final JobSlot jobs;
    private final ProvisioningReport report;
    private final IdentityPublisher identity;
    private final ConfigEditor config;

    PreProvisioned(CredentialVault vault, JobSlot jobs, ProvisioningReport report, IdentityPublisher identity,
            ConfigEditor config) {
        this.vault = vault;
        this.jobs = jobs;
        this.report = report;
        this.identity = identity;
        this.config = config;
    }

    /**
     * Pre-provisioned credentials: into the vault, then out of Config Admin.
     *
     * @return what became of them
     */
    Outcome adopt(SaasSettings s) {
        if (s.deviceId() == null) {
            report.permanentError(ProvisioningEngine.CREDENTIALS_INCOMPLETE, "An API key is configured but no "
                    + "Device ID (EDGEFLOW_DEVICE_ID); give both.");
            return Outcome.HANDLED;
        }
        char[] key = s.apiKey();
        try {
            if (!isValidKeyShape(key)) {
                report.permanentError("invalid_credentials", "The configured API key is "
                        + "not of the shape efk_...; it was not stored.");
                return Outcome.HANDLED;
            }
            boolean stored = false;
            boolean alreadyStored = holds(s.deviceId(), key);
            if (!alreadyStored) {
                jobs.abandon(new ProvisioningException(ProvisioningEngine.IN_PROGRESS,
                        "Pre-provisioned credentials were configured.", false));
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
                report.blockedDevice(null);
                identity.withdraw();
                LOG.info("Pre-provisioned credentials of {} (key {}) stored in the credential vault", s.deviceId(),
                        DeviceCredentials.mask(key));
                jobs.replace(Job.confirm(s.deviceId(), Source.PRE_PROVISIONED));
                stored = true;
            }
            // No plain copy stays in framework storage: the configuration's key goes.
            String expected = new String(key);
            config.removeQuietly(SaasConfiguration.API_KEY, value -> constantTimeEquals(String.valueOf(value), expected));
            if (s.codeText() != null) {
                LOG.warn("Both pre-provisioned credentials and a provisioning code are configured: the credentials "
                        + "were used, the code {} is ignored", ProvisioningCode.maskText(s.codeText()));
                config.removeQuietly(SaasConfiguration.PROVISIONING_CODE, value -> true);
            }
            return stored ? Outcome.STORED : Outcome.HANDLED;
        } catch (VaultException e) {
            report.permanentError(e.code(), "The pre-provisioned credentials could not be "
                    + "stored: " + e.getMessage());
            LOG.warn("Pre-provisioned credentials of {} not stored: {}", s.deviceId(), e.getMessage());
            return Outcome.FAILED;
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
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8));
    }

}
