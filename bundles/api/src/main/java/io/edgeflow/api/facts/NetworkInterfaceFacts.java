package io.edgeflow.api.facts;

import java.util.List;

/**
 * One network interface of the device.
 *
 * @param name interface name, for example {@code eth0}
 * @param mac hardware address in lower-case colon form, or null
 * @param type {@code ethernet}, {@code wifi}, {@code cellular}, {@code loopback} or {@code other}
 * @param up true when the interface is up
 * @param addresses its IP addresses, where they can be known
 */
public record NetworkInterfaceFacts(String name, String mac, String type, boolean up, List<String> addresses) {

    /**
     * Copies the addresses so the record stays immutable.
     *
     * @param name interface name
     * @param mac hardware address
     * @param type interface type
     * @param up whether it is up
     * @param addresses its addresses
     */
    public NetworkInterfaceFacts {
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
    }
}
