package io.edgeflow.update.internal;

import java.util.List;

/**
 * The health check of a deployment: what is healthy before it, and whether the same is healthy again after it.
 * {@link FrameworkHealth} is the real one.
 */
interface Health {

    /**
     * @return what is healthy now: the active bundles, the active or satisfied EdgeFlow components, whether the local
     *         API answers and the tunnel is online
     */
    DeploymentRecord.Baseline baseline();

    /**
     * @param baseline what was healthy before
     * @param operations the deployment's operations (the bundles it installed must be active at their new version,
     *        those it uninstalled gone)
     * @return the verdict now
     */
    Verdict check(DeploymentRecord.Baseline baseline, List<Operation> operations);

    /**
     * A health check's verdict.
     *
     * @param healthy true if everything is back
     * @param broken true if it cannot get better by waiting (a component failed its activation, a bundle cannot
     *        resolve): the rollback starts at once
     * @param failure what is not healthy yet, or null
     */
    record Verdict(boolean healthy, boolean broken, DeploymentRecord.Failure failure) {
        static final Verdict HEALTHY = new Verdict(true, false, null);

        static Verdict waiting(String bundle, String component, String message) {
            return new Verdict(false, false, new DeploymentRecord.Failure(bundle, component, message));
        }

        static Verdict broken(String bundle, String component, String message) {
            return new Verdict(false, true, new DeploymentRecord.Failure(bundle, component, message));
        }
    }
}
