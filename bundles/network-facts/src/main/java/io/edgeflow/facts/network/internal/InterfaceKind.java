package io.edgeflow.facts.network.internal;

/**
 * The kinds of interface the cloud tells apart, as reported in {@code type} and {@code connection_type}.
 */
final class InterfaceKind {
    static final String ETHERNET = "ethernet";
    static final String WIFI = "wifi";
    static final String CELLULAR = "cellular";
    static final String LOOPBACK = "loopback";
    static final String OTHER = "other";

    /** ARPHRD_ETHER in {@code /sys/class/net/X/type}. */
    static final int ARPHRD_ETHER = 1;
    /** ARPHRD_LOOPBACK. */
    static final int ARPHRD_LOOPBACK = 772;

    private InterfaceKind() {
    }

    /**
     * @param wireless the interface has {@code wireless/} or {@code phy80211}
     * @param devtype the {@code DEVTYPE} of its {@code uevent}, or null
     * @param arphrd its {@code type}, or null when unknown
     * @param hasDevice it has a {@code device} link, that is, real hardware behind it
     * @return its kind
     */
    static String of(boolean wireless, String devtype, Integer arphrd, boolean hasDevice) {
        if (wireless || "wlan".equals(devtype)) {
            return WIFI;
        }
        if ("wwan".equals(devtype)) {
            return CELLULAR;
        }
        if (arphrd != null && arphrd == ARPHRD_LOOPBACK) {
            return LOOPBACK;
        }
        // Bridges, VLANs, bonds, veth, tun/tap, VXLAN, docker: no hardware behind them, or a DEVTYPE
        // of their own. USB gadget links (DEVTYPE=gadget) are Ethernet over a cable.
        if (arphrd != null && arphrd == ARPHRD_ETHER && hasDevice && (devtype == null || "gadget".equals(devtype))) {
            return ETHERNET;
        }
        return OTHER;
    }

    /** @return true for the kinds that connect the device to a network */
    static boolean isPhysical(String kind) {
        return ETHERNET.equals(kind) || WIFI.equals(kind) || CELLULAR.equals(kind);
    }
}
