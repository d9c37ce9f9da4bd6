package io.edgeflow.cloud.provisioning;

import java.util.List;

import io.edgeflow.cloud.store.CodeRecord;
import io.edgeflow.cloud.store.DeviceRecord;
import io.edgeflow.cloud.store.KeyRecord;

/**
 * A device with its keys (hashes only) and the code it registered with, for the admin API.
 *
 * @param device the device
 * @param keys its keys, oldest first
 * @param code its provisioning code, or null if that record is gone or it had none (pre-provisioned)
 */
public record DeviceDetails(DeviceRecord device, List<KeyRecord> keys, CodeRecord code) {
    /**
     * @return true if an administrator created the device with its credentials (no provisioning code: its
     *         code is null)
     */
    public boolean preProvisioned() {
        return PreProvisionedDevices.isPreProvisioned(device);
    }

    /**
     * @param now the current time
     * @return the latest expiry among the keys that still work, or null if none does
     */
    public Long keyExpiresAt(long now) {
        Long latest = null;
        for (KeyRecord k : keys) {
            if (k.usable(now) && (latest == null || k.expiresAt() > latest)) {
                latest = k.expiresAt();
            }
        }
        return latest;
    }
}
