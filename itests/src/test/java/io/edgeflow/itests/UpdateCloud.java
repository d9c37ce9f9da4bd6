package io.edgeflow.itests;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The cloud side of a remote update, as the update ITs need it: where the device reaches it, its CA, the device's
 * credentials, publishing a signed artifact, and the states the device reported. {@link MinimalUpdateCloud} is a
 * small HTTPS server in the test; the reference cloud (cloud/) can stand in for it once it serves the same contract
 * (docs/updates-device.md): only this interface's methods change hands.
 */
public interface UpdateCloud extends AutoCloseable {
    /** @return the address as the agent's EDGEFLOW_SAAS_URL takes it */
    String url();

    /** @return the CA certificate the agent trusts for it */
    Path caFile();

    /** @return the Device ID the agent is given (EDGEFLOW_DEVICE_ID) */
    String deviceId();

    /** @return the API key the agent is given (EDGEFLOW_API_KEY) */
    String apiKey();

    /**
     * Makes an artifact downloadable by the device.
     *
     * @param jar the bundle's bytes
     * @return its SHA-256
     */
    String publish(byte[] jar);

    /** @return the states the device reported for this deployment, in order */
    List<String> reports(String deploymentId);

    /** @return the last report's body for this deployment ({@code state, reason, failed}), or null */
    Map<String, Object> lastReport(String deploymentId);
}
