package io.edgeflow.provisioning.internal;

import io.edgeflow.api.provisioning.ProvisioningException;

/**
 * The one job in progress, and the answer to its waiting caller when it ends.
 * <p>
 * Threading: the slot changes only under this object's lock; {@link #current()} is a volatile read, from any
 * thread. {@link #finish} and {@link #abandon} complete a caller and destroy issued credentials: the worker
 * calls them (and {@code close}, once the worker has stopped).
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
}
