package io.edgeflow.cloud.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

import org.eclipse.jetty.io.Connection;

/**
 * Open HTTP connections and new connections per second, per source address. Jetty's own limits
 * ({@code ConnectionLimit}, {@code NetworkConnectionLimit}, {@code AcceptRateLimit}) count every address
 * together, so one address could take all of them; its {@code DoSHandler} limits requests, not
 * connections. Registered on the HTTP/1.1 connection factory only, so it sees each connection once, when
 * its TLS handshake has not even begun, and lets go of it when the connection closes or is upgraded to a
 * device tunnel (a WebSocket): tunnels are not counted. A connection over a limit is closed at once, and
 * logged as one WARN line per kind per minute ({@link ClientFaultLog}).
 */
final class PerAddressConnectionLimit implements Connection.Listener {
    /** Past this many tracked addresses, idle ones are forgotten on the next connection. */
    private static final int SWEEP_ABOVE = 10_000;

    private final int maxOpen;
    private final int perSecond;
    private final ClientFaultLog faults;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<InetAddress, Address> addresses = new ConcurrentHashMap<>();
    private final ConcurrentMap<Connection, InetAddress> counted = new ConcurrentHashMap<>();

    /** One address: its open connections and a token bucket of new ones. */
    private static final class Address {
        int open;
        double tokens;
        long refilledAt;
    }

    /**
     * @param maxOpen open HTTP connections per address, 0 for no limit
     * @param perSecond new connections per second per address (bursts of twice as many), 0 for no limit
     * @param faults where refusals are logged
     * @param nanoTime the clock the rate is measured with
     */
    PerAddressConnectionLimit(int maxOpen, int perSecond, ClientFaultLog faults, LongSupplier nanoTime) {
        this.maxOpen = maxOpen;
        this.perSecond = perSecond;
        this.faults = faults;
        this.nanoTime = nanoTime;
    }

    @Override
    public void onOpened(Connection connection) {
        InetAddress address = addressOf(connection.getEndPoint().getRemoteSocketAddress());
        if (address == null) {
            return;
        }
        if (addresses.size() > SWEEP_ABOVE) {
            sweep();
        }
        String refusal = null;
        int open;
        Address a = addresses.computeIfAbsent(address, x -> newAddress());
        synchronized (a) {
            refill(a);
            if (perSecond > 0 && a.tokens < 1) {
                refusal = "connection-rate";
            } else if (maxOpen > 0 && a.open >= maxOpen) {
                refusal = "too-many-connections";
            } else {
                a.tokens -= perSecond > 0 ? 1 : 0;
                a.open++;
            }
            open = a.open;
        }
        if (refusal == null) {
            counted.put(connection, address);
            return;
        }
        if (refusal.equals("connection-rate")) {
            faults.warn(refusal, "closed a new connection from {}: more than {} new connections per second "
                    + "(--max-connection-rate-per-address)", address.getHostAddress(), perSecond);
        } else {
            faults.warn(refusal, "closed a new connection from {}: it holds {} open connections already "
                    + "(--max-connections-per-address)", address.getHostAddress(), open);
        }
        connection.getEndPoint().close();
    }

    @Override
    public void onClosed(Connection connection) {
        InetAddress address = counted.remove(connection);
        if (address == null) {
            return;
        }
        Address a = addresses.get(address);
        if (a != null) {
            synchronized (a) {
                a.open = Math.max(0, a.open - 1);
            }
        }
    }

    /** @return open HTTP connections counted for an address (for tests) */
    int openFrom(InetAddress address) {
        Address a = addresses.get(address);
        if (a == null) {
            return 0;
        }
        synchronized (a) {
            return a.open;
        }
    }

    private Address newAddress() {
        Address a = new Address();
        a.tokens = 2.0 * perSecond;
        a.refilledAt = nanoTime.getAsLong();
        return a;
    }

    private void refill(Address a) {
        long now = nanoTime.getAsLong();
        if (perSecond > 0) {
            a.tokens = Math.min(2.0 * perSecond, a.tokens + (now - a.refilledAt) / 1e9 * perSecond);
        }
        a.refilledAt = now;
    }

    /** Forgets addresses with nothing open and a full bucket: they would start over the same. */
    private void sweep() {
        addresses.entrySet().removeIf(e -> {
            Address a = e.getValue();
            synchronized (a) {
                refill(a);
                return a.open == 0 && a.tokens >= 2.0 * perSecond;
            }
        });
    }

    private static InetAddress addressOf(SocketAddress socket) {
        return socket instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
