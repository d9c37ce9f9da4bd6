package io.edgeflow.cloud.provisioning;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashMap;
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
 * Attempts that arrive together are counted before their code is looked up ({@link #reserve}): an
 * address never has more codes evaluated than it may still fail, however many requests it sends at once.
 * <p>
 * Kept in memory: a restart forgets the counts, which costs an attacker one restart of ours per
 * ten guesses; codes carry 40 bits. Several nodes of one cloud also count in the store
 * ({@link SharedFailures}): a lockout on one holds on all.
 */
public final class BruteForceGuard {
    private static final int MAX_TRACKED = 100_000;

    private final int maxFailures;
    private final long windowMillis;
    private final long lockoutMillis;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger operations = new AtomicInteger();
    /** The counts every node of the cloud shares, or null for a cloud of one node. Set once, at start. */
    private volatile SharedFailures shared;

    private static final class Entry {
        final ArrayDeque<Long> failures = new ArrayDeque<>();
        long lockedUntil;
        /** Codes of the attempts reserved and not finished yet (with how many attempts carry each): each may still fail. */
        final Map<String, Integer> underWay = new HashMap<>();
    }

    /** One attempt counted before its code is looked up; {@link #close} ends it, {@link #failed} first if it failed. */
    public final class Attempt implements AutoCloseable {
        private final String key;
        private final String code;
        private boolean done;

        private Attempt(String key, String code) {
            this.key = key;
            this.code = code;
        }

        /**
         * The code was wrong: the attempt becomes a failure.
         *
         * @return true if this failure started a lockout
         */
        public boolean failed() {
            if (done) {
                return false;
            }
            done = true;
            Entry entry = entries.get(key);
            if (entry == null) {
                return false; // cannot happen: an entry with attempts under way is never swept
            }
            long now = clock.millis();
            boolean started;
            synchronized (entry) {
                finish(entry, code);
                started = addFailure(entry, now);
            }
            return shareFailure(key, now) || started;
        }

        /** Ends the attempt; one that did not fail stops counting. */
        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            Entry entry = entries.get(key);
            if (entry != null) {
                synchronized (entry) {
                    finish(entry, code);
                }
            }
        }
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
     * @param failures the failures and lockouts the nodes of a cloud share
     */
    public void share(SharedFailures failures) {
        this.shared = failures;
    }

    /**
     * @param address the caller's address
     * @return seconds the address remains locked out (here, or on any node of the cloud), or 0 if it may try
     */
    public long lockedForSeconds(String address) {
        String key = key(address);
        long now = clock.millis();
        SharedFailures s = shared;
        long until = s == null ? 0 : s.lockedUntil(key);
        Entry entry = entries.get(key);
        if (entry != null) {
            synchronized (entry) {
                until = Math.max(until, entry.lockedUntil);
            }
        }
        long left = until - now;
        return left <= 0 ? 0 : (left + 999) / 1000;
    }

    private boolean shareFailure(String key, long now) {
        SharedFailures s = shared;
        return s != null && s.failed(key, now, windowMillis, maxFailures, lockoutMillis);
    }

    /**
     * Counts one attempt before its code is looked up, atomically with the check that the address may try:
     * the different codes under way plus the failures in the window never exceed the limit. Attempts with
     * a code already under way share its place (they can learn nothing more about it): many copies of one
     * device racing for one code are never refused here.
     *
     * @param address the caller's address
     * @param code what identifies the code tried (its hash)
     * @return the attempt, to end with {@link Attempt#failed} and {@link Attempt#close}; or null if the
     *         address is locked out or already has as many codes under way as it may still fail
     */
    public Attempt reserve(String address, String code) {
        long now = clock.millis();
        if (operations.incrementAndGet() % 1024 == 0 || entries.size() > MAX_TRACKED) {
            sweep(now);
        }
        String key = key(address);
        SharedFailures s = shared;
        if (s != null && s.lockedUntil(key) > now) {
            return null;
        }
        while (true) {
            Entry entry = entries.computeIfAbsent(key, k -> new Entry());
            synchronized (entry) {
                if (entries.get(key) != entry) {
                    continue; // swept away meanwhile: take the new one
                }
                expire(entry, now);
                if (entry.lockedUntil > now) {
                    return null;
                }
                if (!entry.underWay.containsKey(code) && entry.failures.size() + entry.underWay.size() >= maxFailures) {
                    return null;
                }
                entry.underWay.merge(code, 1, Integer::sum);
                return new Attempt(key, code);
            }
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
        String key = key(address);
        Entry entry = entries.computeIfAbsent(key, k -> new Entry());
        boolean started;
        synchronized (entry) {
            started = addFailure(entry, now);
        }
        return shareFailure(key, now) || started;
    }

    /** Called holding the entry's lock. */
    private static void finish(Entry entry, String code) {
        entry.underWay.computeIfPresent(code, (k, n) -> n == 1 ? null : n - 1);
    }

    /** Called holding the entry's lock. */
    private boolean addFailure(Entry entry, long now) {
        expire(entry, now);
        entry.failures.addLast(now);
        if (entry.failures.size() >= maxFailures && entry.lockedUntil <= now) {
            entry.lockedUntil = now + lockoutMillis;
            entry.failures.clear();
            return true;
        }
        return false;
    }

    /** Called holding the entry's lock: forgets failures older than the window. */
    private void expire(Entry entry, long now) {
        while (!entry.failures.isEmpty() && entry.failures.peekFirst() <= now - windowMillis) {
            entry.failures.pollFirst();
        }
    }

    private void sweep(long now) {
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext();) {
            Entry entry = it.next();
            synchronized (entry) {
                Long last = entry.failures.peekLast();
                if (entry.underWay.isEmpty() && entry.lockedUntil <= now && (last == null || last <= now - windowMillis)) {
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
