package io.edgeflow.facts.network.internal;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The addresses the running kernel gives an interface, through {@link NetworkInterface}. Used when the
 * root is {@code /}; below another root the addresses come from the copied files instead.
 */
interface LiveAddresses {

    /**
     * @param iface an interface name
     * @return its addresses as text, without scope; empty when the interface has none or is gone
     * @throws SocketException when the kernel cannot be asked
     */
    List<String> of(String iface) throws SocketException;

    /** The running kernel, through java.net. */
    LiveAddresses JAVA_NET = iface -> {
        NetworkInterface ni = NetworkInterface.getByName(iface);
        if (ni == null) {
            return List.of();
        }
        List<String> addresses = new ArrayList<>();
        for (InetAddress address : Collections.list(ni.getInetAddresses())) {
            addresses.add(IpAddresses.format(address.getAddress())); // drops the %scope
        }
        return addresses;
    };
}
