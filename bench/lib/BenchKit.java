import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * What the reference cloud's benchmarks share (bench/cloud, bench/slow-clients, bench/tunnel): trusting the
 * cloud's CA, required options, CPU time, percentiles. bench/lib.sh compiles it ({@code bench_kit}) and each
 * benchmark runs with it on its class path: {@code java -cp "$kit" bench/.../SomeBench.java}.
 */
public final class BenchKit {
    private BenchKit() {
    }

    /** @return trust managers that trust the certificates of a PEM file (the cloud's ca.pem) */
    public static TrustManager[] trustManagers(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            int i = 0;
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + i++, (X509Certificate) c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf.getTrustManagers();
    }

    /** @return a new TLS context with these trust managers (a new one: no session to resume) */
    public static SSLContext tls(TrustManager[] trust) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust, null);
        return context;
    }

    /** @return the option's value; an {@link IllegalArgumentException} naming it if it is missing */
    public static String require(Map<String, String> options, String name) {
        String v = options.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return v;
    }

    /** @return user + system CPU time of a process in clock ticks (Linux /proc, USER_HZ 100: 10 ms a tick) */
    public static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
    }

    /** @return this process's CPU time in ms (0 where the JVM does not say) */
    public static long ownCpuMillis() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1_000_000 : 0;
    }

    /**
     * @param sorted values, sorted
     * @param p the percentile, 0 to 100
     * @param unit what one of the result is worth in the values' unit (1e6 for ms of ns values)
     * @return the p-th percentile (nearest rank) in that unit; 0 for no values
     */
    public static double percentile(long[] sorted, double p, double unit) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / unit;
    }
}
