package io.edgeflow.provisioning.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The reference cloud's provisioning rules, small: codes, claims by request_id, pending and confirmed keys.
 * Failures can be queued before the rules apply, and a registration can be "lost" (done, then the answer
 * dropped), as a network would.
 */
final class FakeCloud implements CloudApi {
    static final Instant EXPIRES = Instant.parse("2027-11-28T16:03:16Z");
    static final Instant ROTATED_EXPIRES = Instant.parse("2027-12-04T15:00:00Z");
    static final Instant PREVIOUS_UNTIL = Instant.parse("2026-12-05T15:00:00Z");

    private final Map<String, String> codeStates = new HashMap<>(); // code -> active/consumed/expired/revoked
    private final Map<String, String> claims = new HashMap<>(); // code -> request id
    private final Map<String, String> claimDevices = new HashMap<>(); // code -> device
    private final Map<String, String> keys = new HashMap<>(); // device -> current key
    private final Map<String, Boolean> confirmed = new HashMap<>();
    /** device -> the key that asked for a rotation, accepted until the new key is confirmed (the overlap window) */
    private final Map<String, String> previousKeys = new HashMap<>();
    private final Deque<CloudCallException> rotateFailures = new ArrayDeque<>();
    private int loseRotations;
    /** The facts each confirmation reported, in order. */
    final List<Map<String, Object>> confirmFacts = new CopyOnWriteArrayList<>();
    private final Deque<CloudCallException> registerFailures = new ArrayDeque<>();
    private final Deque<CloudCallException> confirmFailures = new ArrayDeque<>();
    private int loseRegistrations;
    private int devices;
    private CountDownLatch registerGate;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> requestIds = new CopyOnWriteArrayList<>();
    final List<Long> callNanos = new CopyOnWriteArrayList<>();

    synchronized void code(String code, String state) {
        codeStates.put(ProvisioningCode.parse(code).orElseThrow().value(), state);
    }

    synchronized void failRegister(CloudCallException e, int times) {
        for (int i = 0; i < times; i++) {
            registerFailures.add(e);
        }
    }

    synchronized void failConfirm(CloudCallException e, int times) {
        for (int i = 0; i < times; i++) {
            confirmFailures.add(e);
        }
    }

    synchronized void clearConfirmFailures() {
        confirmFailures.clear();
    }

    synchronized void failRotate(CloudCallException e, int times) {
        for (int i = 0; i < times; i++) {
            rotateFailures.add(e);
        }
    }

    /** The next n rotations issue a key, then the answer is lost. */
    synchronized void loseRotations(int n) {
        loseRotations = n;
    }

    /** @return true if the cloud accepts this key for the device now */
    synchronized boolean accepts(String deviceId, String key) {
        return key.equals(keys.get(deviceId)) || key.equals(previousKeys.get(deviceId));
    }

    synchronized void loseRegistrations(int n) {
        loseRegistrations = n;
    }

    /** Registrations wait at this gate until it opens. */
    synchronized void holdRegistrations() {
        registerGate = new CountDownLatch(1);
    }

    void releaseRegistrations() {
        CountDownLatch gate;
        synchronized (this) {
            gate = registerGate;
            registerGate = null;
        }
        if (gate != null) {
            gate.countDown();
        }
    }

    /** A device an administrator made: its key, confirmed. */
    synchronized String preProvisioned(String deviceId, String key) {
        keys.put(deviceId, key);
        confirmed.put(deviceId, true);
        return key;
    }

    synchronized String key(String deviceId) {
        return keys.get(deviceId);
    }

    synchronized boolean isConfirmed(String deviceId) {
        return Boolean.TRUE.equals(confirmed.get(deviceId));
    }

    synchronized int count(String call) {
        return (int) calls.stream().filter(c -> c.startsWith(call)).count();
    }

    @Override
    public Registration register(ProvisioningCode code, String requestId, Map<String, Object> hardware,
            Map<String, Object> network) throws CloudCallException {
        CountDownLatch gate;
        synchronized (this) {
            gate = registerGate;
        }
        if (gate != null) {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            calls.add("register " + code.masked());
            requestIds.add(requestId);
            callNanos.add(System.nanoTime());
            if (!registerFailures.isEmpty()) {
                throw registerFailures.poll();
            }
            String c = code.value();
            String state = codeStates.get(c);
            if (state == null) {
                throw new CloudCallException("code_invalid", "No such provisioning code.", true, 404, null);
            }
            if (!state.equals("active")) {
                throw new CloudCallException("code_" + state, "This provisioning code is " + state + ".", true, 410,
                        null);
            }
            String claim = claims.get(c);
            if (claim != null && !claim.equals(requestId)) {
                throw new CloudCallException("code_in_use", "Another registration holds this code.", false, 409, null);
            }
            String device = claim != null ? claimDevices.get(c) : "dev_" + (++devices);
            String key = "efk_" + device + "_key" + calls.size() + "_padding_to_make_it_long";
            claims.put(c, requestId);
            claimDevices.put(c, device);
            keys.put(device, key);
            confirmed.put(device, false);
            if (loseRegistrations > 0) {
                loseRegistrations--;
                throw CloudCallException.transientFailure(CloudCallException.UNREACHABLE,
                        "The connection to the cloud failed: Connection reset.");
            }
            return new Registration(device, key.toCharArray(), EXPIRES, null);
        }
    }

    @Override
    public synchronized Confirmation confirm(String deviceId, char[] apiKey, Map<String, Object> hardware,
            Map<String, Object> network) throws CloudCallException {
        calls.add("confirm " + deviceId);
        confirmFacts.add(Map.of("hardware", hardware, "network", network));
        callNanos.add(System.nanoTime());
        if (!confirmFailures.isEmpty()) {
            throw confirmFailures.poll();
        }
        String presented = new String(apiKey);
        if (presented.equals(previousKeys.get(deviceId))) {
            return new Confirmation(deviceId, "active", EXPIRES); // the key that asked for a rotation: still active
        }
        if (!presented.equals(keys.get(deviceId))) {
            throw new CloudCallException("invalid_credentials", "Unknown API key.", true, 401, null);
        }
        previousKeys.remove(deviceId); // confirming a rotated key ends the previous one
        confirmed.put(deviceId, true);
        for (Map.Entry<String, String> e : claimDevices.entrySet()) {
            if (e.getValue().equals(deviceId)) {
                codeStates.put(e.getKey(), "consumed");
            }
        }
        return new Confirmation(deviceId, "active", EXPIRES);
    }

    /** As the reference cloud: a new key for a confirmed device; any other unconfirmed key of it ends. */
    @Override
    public synchronized Rotation rotateKey(String deviceId, char[] apiKey) throws CloudCallException {
        calls.add("rotate " + deviceId);
        if (!rotateFailures.isEmpty()) {
            throw rotateFailures.poll();
        }
        String presented = new String(apiKey);
        if (!accepts(deviceId, presented)) {
            throw new CloudCallException("invalid_credentials", "Unknown API key.", true, 401, null);
        }
        if (!isConfirmed(deviceId)) {
            throw new CloudCallException("not_confirmed", "Confirm the registration first.", true, 409, null);
        }
        String key = "efk_" + deviceId + "_rotated" + calls.size() + "_padding_to_make_it_long";
        keys.put(deviceId, key);
        previousKeys.put(deviceId, presented);
        if (loseRotations > 0) {
            loseRotations--;
            throw CloudCallException.transientFailure(CloudCallException.UNREACHABLE,
                    "The connection to the cloud failed: Connection reset.");
        }
        return new Rotation(deviceId, key.toCharArray(), ROTATED_EXPIRES, PREVIOUS_UNTIL);
    }

    static CloudCallException unreachable() {
        return CloudCallException.transientFailure(CloudCallException.UNREACHABLE,
                "Cannot connect to the cloud at 127.0.0.1:1 (connection refused or no route).");
    }

    static CloudCallException rateLimited(Duration retryAfter) {
        return new CloudCallException("rate_limited", "Too many failed attempts.", false, 429, retryAfter);
    }
}
