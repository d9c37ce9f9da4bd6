package io.edgeflow.cloud.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A new connection must have sent its first request head within the idle timeout. The idle timeout alone
 * closes a connection that sends nothing; one that sends its TLS handshake or its request head a byte every
 * few seconds never goes idle, and would hold its connection for as long as it likes. Registered on the
 * HTTP/1.1 connection factory: one timer per connection, cancelled when the connection closes; when it fires
 * on a connection whose first request head has arrived ({@link Connection#getMessagesIn()}), it does nothing.
 */
final class FirstRequestDeadline implements Connection.Listener {
    private final Duration deadline;
    private final Supplier<Scheduler> scheduler;
    private final ClientFaultLog faults;
    private final Map<Connection, Scheduler.Task> timers = new ConcurrentHashMap<>();

    /**
     * @param deadline how long a connection may take to its first request head
     * @param scheduler Jetty's scheduler (known once the connector runs)
     * @param faults where a closed connection is logged
     */
    FirstRequestDeadline(Duration deadline, Supplier<Scheduler> scheduler, ClientFaultLog faults) {
        this.deadline = deadline;
        this.scheduler = scheduler;
        this.faults = faults;
    }

    @Override
    public void onOpened(Connection connection) {
        Scheduler.Task task = scheduler.get().schedule(() -> expire(connection), deadline.toMillis(),
                TimeUnit.MILLISECONDS);
        timers.put(connection, task);
        if (!connection.getEndPoint().isOpen()) {
            onClosed(connection); // closed while the timer was set (a per-address limit)
        }
    }

    @Override
    public void onClosed(Connection connection) {
        Scheduler.Task task = timers.remove(connection);
        if (task != null) {
            task.cancel();
        }
    }

    private void expire(Connection connection) {
        if (timers.remove(connection) == null || connection.getMessagesIn() > 0 || !connection.getEndPoint().isOpen()) {
            return;
        }
        SocketAddress remote = connection.getEndPoint().getRemoteSocketAddress();
        faults.warn("slow-head", "closed a connection from {}: no complete request head within {} ({} bytes received)",
                remote instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : String.valueOf(remote),
                io.edgeflow.cloud.Durations.format(deadline), connection.getBytesIn());
        connection.getEndPoint().close();
    }
}
