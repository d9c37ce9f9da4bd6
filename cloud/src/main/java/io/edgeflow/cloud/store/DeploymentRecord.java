package io.edgeflow.cloud.store;

/**
 * A deployment (a rollout of operations to devices, in waves).
 *
 * @param id {@code dep_...}
 * @param state {@code running}, {@code halted}, {@code completed} or {@code cancelled}
 * @param spec its operations, waves, max_failures and health timeout, as JSON
 * @param currentWave the wave that was started last, 0 before the first
 * @param createdAt epoch ms
 * @param updatedAt epoch ms
 */
public record DeploymentRecord(String id, String state, String spec, long currentWave, long createdAt,
        long updatedAt) {
}
