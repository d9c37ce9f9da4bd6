package io.edgeflow.provisioning.internal;

import java.util.concurrent.CompletableFuture;

import io.edgeflow.api.vault.DeviceCredentials;

/**
 * A provisioning in progress: a registration with a code and its confirmation, or the confirmation of stored
 * credentials.
 * <p>
 * Threading: created by any thread (the local API's caller, the worker); from then on changed by the worker
 * thread only. {@link #step} and {@link #deviceId} are read by status threads too, so they are volatile; the
 * other mutable fields are the worker's alone.
 */
final class Job {
    /** Where a registration or confirmation came from. */
    enum Source {
        /** The provisioning code of the configuration (env file, Config Admin). */
        CONFIG,
        /** {@code POST /api/v1/saas/provision}. */
        API,
        /** Pre-provisioned credentials of the configuration. */
        PRE_PROVISIONED,
        /** Credentials found in the vault with a registration still unconfirmed (after a crash). */
        STORED
    }

    /** The next network step of a job. */
    enum Step {
        REGISTER, CONFIRM
    }

    final ProvisioningCode code;
    final Source source;
    /** The local API's caller waiting for the credentials, or null. */
    final CompletableFuture<DeviceCredentials> caller;
    volatile Step step;
    volatile String deviceId;
    boolean reRegistered;
    boolean firstAttemptLogged;
    /** Credentials registered for the caller, handed over when it is answered. */
    DeviceCredentials issued;

    private Job(ProvisioningCode code, Source source, Step step, String deviceId,
            CompletableFuture<DeviceCredentials> caller) {
        this.code = code;
        this.source = source;
        this.step = step;
        this.deviceId = deviceId;
        this.caller = caller;
    }

    static Job register(ProvisioningCode code, Source source, CompletableFuture<DeviceCredentials> caller) {
        return new Job(code, source, Step.REGISTER, null, caller);
    }

    static Job confirm(String deviceId, Source source) {
        return new Job(null, source, Step.CONFIRM, deviceId, null);
    }
}
