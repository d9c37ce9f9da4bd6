package io.edgeflow.vault.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

import io.edgeflow.api.vault.DeviceCredentials;

/**
 * The child process of {@link CrashTest}: writes credentials in a tight loop until it is killed.
 * Protocol on stdout, one line each: {@code ready} once loaded; after {@code go} on stdin,
 * {@code start <n>} with the number it found in the vault, then {@code stored <n>} after each
 * {@code store} returned and {@code pending <n>} after each {@code storePendingRequestId} returned.
 * A line is printed only after the call returned, so the parent knows what must have survived.
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    /**
     * @param args the vault directory and the machine identity file
     * @throws Exception whatever goes wrong; the parent sees the exit code
     */
    public static void main(String[] args) throws Exception {
        Path vaultDir = Path.of(args[0]);
        Path machineId = Path.of(args[1]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);

        // Load what a write needs before saying ready, so the measured run is the writing itself.
        VaultKeys warm = VaultKeys.derive(new byte[32], new byte[0]);
        VaultFile.seal(warm, new VaultContents(credentials(0), "req-0").encode(), new java.security.SecureRandom());
        warm.destroy();
        out.println("ready");

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        if (!"go".equals(in.readLine())) {
            System.exit(3);
        }
        VaultStore store = new VaultStore(vaultDir.resolve(VaultStore.VAULT_FILE_NAME),
                vaultDir.resolve(VaultStore.KEY_FILE_NAME), machineId, warning -> {
                    System.err.println("warning: " + warning);
                    System.exit(4); // a corrupt vault or a fixed permission is a failure here
                });
        Optional<DeviceCredentials> found = store.load();
        long n = found.map(c -> number(c.deviceId())).orElse(0L);
        found.ifPresent(DeviceCredentials::destroy);
        out.println("start " + n);
        while (true) {
            n++;
            DeviceCredentials next = credentials(n);
            store.store(next);
            next.destroy();
            out.println("stored " + n);
            store.storePendingRequestId(requestId(n));
            out.println("pending " + n);
        }
    }

    /** The n-th set of credentials: every field derives from n, so a mixed set is detectable. */
    static DeviceCredentials credentials(long n) {
        char[] key = apiKey(n);
        try {
            return new DeviceCredentials("dev_" + n, key, Instant.ofEpochSecond(1_800_000_000L + n, n % 1_000_000_000L),
                    "https://cloud-" + n + ".example:443");
        } finally {
            Arrays.fill(key, '\0');
        }
    }

    static char[] apiKey(long n) {
        long mixed = n * 0x9E3779B97F4A7C15L;
        return ("efk_" + Long.toHexString(mixed) + "_" + n + "_" + Long.toHexString(~mixed)).toCharArray();
    }

    static String requestId(long n) {
        return "req-" + n;
    }

    static long number(String deviceId) {
        return Long.parseLong(deviceId.substring("dev_".length()));
    }
}
