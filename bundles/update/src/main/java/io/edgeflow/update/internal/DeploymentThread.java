package io.edgeflow.update.internal;

import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * The engine's thread as a deployment's steps see it: whether the update bundle is stopping, the waits between two
 * attempts, and the one exception that ends a step and leaves the deployment as journaled.
 * <p>
 * Threading: used on the engine's thread only; it reads the thread's interrupt and the executor's shutdown flag.
 */
final class DeploymentThread {
    private final ExecutorService executor;
    private final DeploymentEngine.Pause pause;

    /**
     * @param executor the engine's executor (its shutdown means the update bundle is stopping)
     * @param pause how a step waits
     */
    DeploymentThread(ExecutorService executor, DeploymentEngine.Pause pause) {
        this.executor = executor;
        this.pause = pause;
    }

    /** @throws Stop if the update bundle is stopping */
    void checkNotStopped() {
        if (Thread.currentThread().isInterrupted() || executor.isShutdown()) {
            throw new Stop("the update bundle is stopping");
        }
    }

    /**
     * @param duration how long to wait
     * @throws Stop if the wait is interrupted
     */
    void sleep(Duration duration) {
        try {
            pause.pause(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stop("interrupted");
        }
    }

    /** @return the first message along the causes, else the exception's simple name */
    static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    /** The engine is being stopped (deactivation) or cannot journal: the deployment stays as journaled. */
    static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop(String message) {
            super(message, null, false, false);
        }
    }
}
