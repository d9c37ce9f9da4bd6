package io.edgeflow.cloud.provisioning;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Limits failed provisioning-code attempts per source address: more than {@code maxFailures} within
 * the window locks that address out for the lockout period. Only the failing address is affected: a
 * correct code from any other address is never slowed down, which is why there is no global limit.
 * IPv6 addresses are counted per /64, the block one subscriber usually holds.
 * <p>
 * Kept in memory: a restart forgets the counts, which costs an attacker one restart of ours per
 * ten guesses; codes carry 40 bits.
 */
public final class BruteForceGuard {
    private static final int MAX_TRACKED = 100_000;

    private final int maxFailures;
    private final long windowMillis;
    private final long lockoutMillis;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger operations = new AtomicInteger();

    private static final class Entry {
        final ArrayDeque<Long> failures = new ArrayDeque<>();
        long lockedUntil;
    }

    /**
     * @param settings limits
     * @param clock the clock (tests move it)
     */
    public BruteForceGuard(CloudSettings settings, Clock clock) {
        this.maxFailures = settings.maxFailedAttempts();
        this.windowMillis = settings.failedWindow().toMillis();
        this.lockoutMillis = settings.lockout().toMillis();
        this.clock = clock;
    }

    /**
     * @param address the caller's address
     * @return seconds the address remains locked out, or 0 if it may try
     */
    public long lockedForSeconds(String address) {
        Entry entry = entries.get(key(address));
        if (entry == null) {
            return 0;
        }
        long now = clock.millis();
        synchronized (entry) {
            long left = entry.lockedUntil - now;
            return left <= 0 ? 0 : (left + 999) / 1000;
        }
    }

    /**
     * Counts one failed attempt; locks the address out when it goes over the limit.
     *
     * @param address the caller's address
     * @return true if this failure started a lockout
     */
    public boolean recordFailure(String address) {
        long now = clock.millis();
        if (operations.incrementAndGet() % 1024 == 0 || entries.size() > MAX_TRACKED) {
            sweep(now);
        }
        Entry entry = entries.computeIfAbsent(key(address), k -> new Entry());
        synchronized (entry) {
            while (!entry.failures.isEmpty() && entry.failures.peekFirst() <= now - windowMillis) {
                entry.failures.pollFirst();
            }
            entry.failures.addLast(now);
            if (entry.failures.size() >= maxFailures && entry.lockedUntil <= now) {
                entry.lockedUntil = now + lockoutMillis;
                entry.failures.clear();
                return true;
            }
            return false;
        }
    }

    private void sweep(long now) {
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext();) {
            Entry entry = it.next();
            synchronized (entry) {
                Long last = entry.failures.peekLast();
                if (entry.lockedUntil <= now && (last == null || last <= now - windowMillis)) {
                    it.remove();
                }
            }
        }
    }

    /**
     * @param address an address as the server saw it
     * @return the key it is counted under: the address itself, or its /64 for IPv6
     */
    static String key(String address) {
        if (address == null) {
            return "";
        }
        String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
                : address;
        if (a.indexOf(':') < 0) {
            return a;
        }
        try {
            // a literal: no name lookup happens
            byte[] bytes = InetAddress.getByName(a).getAddress();
            if (bytes.length != 16) {
                return InetAddress.getByAddress(bytes).getHostAddress();
            }
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
            }
            return prefix.append(":/64").toString();
        } catch (UnknownHostException e) {
            return a;
        }
    }
}
