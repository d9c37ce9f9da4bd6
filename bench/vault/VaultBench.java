import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

import io.edgeflow.api.vault.DeviceCredentials;
import io.edgeflow.vault.internal.VaultStore;

/**
 * Store and load latency of the file credential vault, as the agent runs it: AES-256-GCM, HKDF from the
 * key file and /etc/machine-id, atomic replace with fsync of the file and the directory. Each timed call
 * is one complete operation through the public API (reading the key file and machine identity included).
 *
 *   java -cp <vault classes>:<api classes> bench/vault/VaultBench.java DIR ITERATIONS LABEL
 *
 * Prints one Markdown table row per operation.
 */
public class VaultBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int iterations = Integer.parseInt(args[1]);
        String label = args[2];
        Path machineId = Path.of("/etc/machine-id");
        VaultStore vault = new VaultStore(dir.resolve("credentials.vault"), dir.resolve("vault.key"),
                Files.exists(machineId) ? machineId : null, warning -> System.err.println("warning: " + warning));

        long coldStore = time(() -> vault.store(credentials(0)));
        long coldLoad = time(() -> vault.load().ifPresent(DeviceCredentials::destroy));

        int warmup = Math.min(200, iterations);
        for (int i = 1; i <= warmup; i++) {
            vault.store(credentials(i));
            vault.load().ifPresent(DeviceCredentials::destroy);
        }
        long[] store = new long[iterations];
        long[] load = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            int n = warmup + 1 + i;
            store[i] = time(() -> vault.store(credentials(n)));
            load[i] = time(() -> {
                Optional<DeviceCredentials> c = vault.load();
                if (c.isEmpty() || !c.get().deviceId().equals("dev_" + n)) {
                    throw new IllegalStateException("read back the wrong credentials");
                }
                c.get().destroy();
            });
        }
        row(label, "store", store, coldStore);
        row(label, "load", load, coldLoad);
    }

    interface Call {
        void run() throws Exception;
    }

    static long time(Call call) throws Exception {
        long t0 = System.nanoTime();
        call.run();
        return System.nanoTime() - t0;
    }

    static DeviceCredentials credentials(int n) {
        char[] key = ("efk_" + Integer.toHexString(n * 0x9E3779B1) + "_bench_key_0123456789abcdef").toCharArray();
        try {
            return new DeviceCredentials("dev_" + n, key, Instant.parse("2027-02-21T00:00:00Z"), "saas.edgx.cloud:443");
        } finally {
            Arrays.fill(key, '\0');
        }
    }

    static void row(String label, String op, long[] nanos, long cold) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("| %s | %s | %d | %s | %s | %s | %s | %s |%n", label, op, sorted.length, ms(percentile(sorted, 50)),
                ms(percentile(sorted, 90)), ms(percentile(sorted, 99)), ms(sorted[sorted.length - 1]), ms(cold));
    }

    /** Nearest-rank percentile. */
    static long percentile(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    static String ms(long nanos) {
        return String.format("%.3f", nanos / 1e6);
    }
}
