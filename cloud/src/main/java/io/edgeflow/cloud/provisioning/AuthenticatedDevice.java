package io.edgeflow.cloud.provisioning;

import io.edgeflow.cloud.store.DeviceRecord;
import io.edgeflow.cloud.store.KeyRecord;

/**
 * A device that proved it holds one of its keys.
 *
 * @param device the device at the time of the check
 * @param key the key it presented (hash only)
 */
public record AuthenticatedDevice(DeviceRecord device, KeyRecord key) {
}
