package io.edgeflow.api.facts;

import java.util.List;

/**
 * How the device is connected. {@code ipAddress}, {@code macAddress} and {@code connectionType}
 * describe the primary interface (the one carrying the default route).
 *
 * @param hostname the device's host name
 * @param ipAddress IP address of the primary interface, or null
 * @param macAddress MAC address of the primary interface, or null
 * @param connectionType type of the primary interface ({@code ethernet}, {@code wifi}, ...), or null
 * @param interfaces every interface the device has
 * @param warnings readable notes on what could not be read
 */
public record NetworkFacts(String hostname, String ipAddress, String macAddress, String connectionType,
        List<NetworkInterfaceFacts> interfaces, List<String> warnings) {

    /**
     * Copies the lists so the record stays immutable.
     *
     * @param hostname host name
     * @param ipAddress primary IP address
     * @param macAddress primary MAC address
     * @param connectionType primary connection type
     * @param interfaces all interfaces
     * @param warnings what could not be read
     */
    public NetworkFacts {
        interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }
}
