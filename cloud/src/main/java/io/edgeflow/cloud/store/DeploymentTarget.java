package io.edgeflow.cloud.store;

/**
 * One device of a deployment, and how far it got.
 *
 * @param deploymentId the deployment
 * @param deviceId the device
 * @param wave its wave, from 1
 * @param state {@code pending}, {@code downloading}, ..., {@code cancelled}
 * @param updatedAt epoch ms
 * @param reason why (a failure, a halt), or null
 * @param failed what failed on the device, as JSON ({@code {"bundle", "component", "message"}}), or null
 */
public record DeploymentTarget(String deploymentId, String deviceId, long wave, String state, long updatedAt,
        String reason, String failed) {
}
