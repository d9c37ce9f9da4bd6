package io.edgeflow.provisioning.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.edgeflow.api.provisioning.ProvisioningException;
import io.edgeflow.api.vault.DeviceCredentials;

/**
 * The one job in progress, and the answer to its waiting caller when it ends.
 * <p>
 * Threading: the slot changes only under this object's lock; {@link #current()} is a volatile read, from any
 * thread. {@link #finish} and {@link #abandon} complete a caller and destroy issued credentials: the worker
 * calls them. {@link #await} is the other side of that rendezvous, on the local API caller's thread.
 */
final class JobSlot {
    private volatile Job job;

    /** @return the job in progress, or null */
    Job current() {
        return job;
    }

    /**
     * @param next the job to start
     * @return true if it was started; false if another job is in progress
     */
    synchronized boolean claim(Job next) {
        if (job != null) {
            return false;
        }
        job = next;
        return true;
    }

    /** @return the job in progress: {@code next} if the slot was free, else the one already there */
    synchronized Job startIfFree(Job next) {
        if (job == null) {
            job = next;
        }
        return job;
    }

    /** @param next replaces whatever is in progress (whose caller, if any, must be answered by the caller) */
    synchronized void replace(Job next) {
        job = next;
    }

    /** Drops the job in progress; its caller, if any, gets the reason ("the configuration changed" if null). */
    void abandon(ProvisioningException reason) {
        Job current;
        synchronized (this) {
            current = job;
            job = null;
        }
        if (current != null && current.caller != null && !current.caller.isDone()) {
            current.caller.completeExceptionally(reason != null ? reason
                    : new ProvisioningException(ProvisioningEngine.IN_PROGRESS, "The configuration changed.", false));
        }
        if (current != null && current.issued != null) {
            current.issued.destroy();
        }
    }

    /**
     * Ends a job: out of the slot (if still there), its caller answered with the credentials or the failure.
     *
     * @param finished the job
     * @param failure why it failed, or null if it succeeded
     */
    void finish(Job finished, ProvisioningException failure) {
        synchronized (this) {
            if (job == finished) {
                job = null;
            }
        }
        if (finished.caller != null && !finished.caller.isDone()) {
            if (failure != null) {
                finished.caller.completeExceptionally(failure);
            } else {
                finished.caller.complete(finished.issued);
                finished.issued = null; // the caller owns (and destroys) them now
            }
        }
        if (finished.issued != null && finished.caller != null && finished.caller.isDone()) {
            finished.issued.destroy();
            finished.issued = null;
        }
    }

    /**
     * Starts a registration for a local API caller, on its thread, unless something stands in the way.
     *
     * @param code the code
     * @param s the latest settings
     * @param closing true if the service is stopping
     * @return what the caller waits for ({@link #await})
     * @throws ProvisioningException SaaS disabled, the settings cannot work, stopping, or a job in progress
     */
    CompletableFuture<DeviceCredentials> startForCaller(ProvisioningCode code, SaasSettings s, boolean closing)
            throws ProvisioningException {
        if (!s.enabled()) {
            throw new ProvisioningException(ProvisioningEngine.SAAS_DISABLED, "SaaS is disabled: enable it "
                    + "(EDGEFLOW_SAAS_ENABLED=true) before provisioning.", true);
        }
        if (s.problem() != null) {
            throw new ProvisioningException(s.problem().code(), s.problem().message(), true);
        }
        if (closing) {
            throw new ProvisioningException("provisioning_unavailable", "The provisioning service is stopping.", false);
        }
        CompletableFuture<DeviceCredentials> answer = new CompletableFuture<>();
        if (!claim(Job.register(code, Job.Source.API, answer))) {
            Job other = current();
            throw new ProvisioningException(ProvisioningEngine.IN_PROGRESS, "A provisioning is already in progress"
                    + (other == null || other.code == null ? "" : " (code " + other.code.masked() + ")")
                    + "; see GET /api/v1/saas/status.", false);
        }
        return answer;
    }

    /**
     * Waits, on the local API caller's thread, for the answer to its job.
     *
     * @param answer completed by {@link #finish} or {@link #abandon}
     * @param wait how long at the most
     * @return the credentials; the caller destroys them
     * @throws ProvisioningException the job's failure, or why no answer came
     */
    static DeviceCredentials await(CompletableFuture<DeviceCredentials> answer, Duration wait)
            throws ProvisioningException {
        try {
            return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProvisioningException(ProvisioningEngine.IN_PROGRESS, "Interrupted while provisioning; see "
                    + "GET /api/v1/saas/status.", false);
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
}
