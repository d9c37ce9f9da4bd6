package io.edgeflow.cloud.provisioning;

import java.util.List;

/**
 * One page of a device search.
 *
 * @param devices the devices on the page, newest first
 * @param total how many devices match the search, on every page together
 */
public record DevicePage(List<DeviceDetails> devices, long total) {
    /** Copies the list. */
    public DevicePage {
        devices = List.copyOf(devices);
    }
}
