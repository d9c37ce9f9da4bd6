package io.edgeflow.tunnel.internal;

import java.net.URI;

/** Where {@link LoopbackLocalApi} sends the cloud's requests, and the tunnel's own credential they carry. */
interface LoopbackTarget {
    /** @return where the local API listens ({@code http://127.0.0.1:8080}), or null while unknown */
    URI address();

    /**
     * @return the {@code Authorization} value of relayed requests ({@code EdgeFlow-Relay <secret>}, see
     *         {@link RelaySecret}), or null to send none
     */
    default String authorization() {
        return null;
    }
}
