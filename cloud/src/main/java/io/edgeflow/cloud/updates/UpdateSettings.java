package io.edgeflow.cloud.updates;

import java.time.Duration;

/**
 * The remote updates' settings.
 *
 * @param maxArtifactBytes the largest artifact accepted (default 32 MiB)
 * @param redeliveryDelay how long before a deployment is delivered again to a device that was busy (409), did not
 *        answer, or answered 5xx (default 30 s); an opening tunnel always delivers at once
 */
public record UpdateSettings(long maxArtifactBytes, Duration redeliveryDelay) {
    /** 32 MiB, 30 s. */
    public static final UpdateSettings DEFAULTS = new UpdateSettings(32L * 1024 * 1024, Duration.ofSeconds(30));

    /** Checks the values. */
    public UpdateSettings {
        if (maxArtifactBytes < 1024 || maxArtifactBytes > 1024L * 1024 * 1024) {
            throw new IllegalArgumentException("--max-artifact-size must be from 1 KiB to 1 GiB");
        }
        if (redeliveryDelay == null || redeliveryDelay.isNegative() || redeliveryDelay.isZero()) {
            throw new IllegalArgumentException("the redelivery delay must be positive");
        }
    }

    /**
     * @param bytes the largest artifact
     * @return a copy
     */
    public UpdateSettings withMaxArtifactBytes(long bytes) {
        return new UpdateSettings(bytes, redeliveryDelay);
    }

    /**
     * @param delay the redelivery delay
     * @return a copy
     */
    public UpdateSettings withRedeliveryDelay(Duration delay) {
        return new UpdateSettings(maxArtifactBytes, delay);
    }
}
