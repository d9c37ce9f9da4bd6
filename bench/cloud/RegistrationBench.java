/*
 * Registration benchmark for the EdgeFlow reference cloud. JDK only, run from source:
 *
 *   java bench/cloud/RegistrationBench.java --url https://127.0.0.1:PORT --ca-file DATA/ca.pem \
 *        --token-file DATA/admin-token [--clients 50] [--count 15000] [--warmup 2000] \
 *        [--connections keepalive|fresh] [--confirm] [--server-pid PID]
 *
 * It creates the provisioning codes it needs through the admin API first (not measured), then lets
 * CLIENTS threads register devices as fast as the server answers, each registration with its own code
 * and request_id. Reported: registrations per second over the measured phase, the slowest and fastest
 * 5-second window, and the latency of each registration (p50, p90, p99, max). With --confirm each
 * device also confirms its key, and the unit measured is the whole register + confirm exchange.
 *
 * --server-pid: the server's process id on this machine; its CPU time (user + system, from
 *   /proc/PID/stat) during the measured phase is reported per registration, a figure that depends far
 *   less on what else the machine is doing than the rate does.
 *
 * --connections keepalive: each client keeps one TLS connection open (a device retrying, or a
 *   provisioning proxy); fresh: every registration opens a new TLS connection and does a full
 *   handshake without session resumption, as a fleet of devices each registering once would.
 *
 * --url may name several nodes of one cloud, comma-separated (bench/cloud/nodes.sh): the codes are created on
 *   the first, client c registers on node c modulo their number over its kept-alive connection, and
 *   --server-pid then takes their process ids, comma-separated (the CPU time reported is theirs together).
 *
 * Traffic goes only to the --url given; the run is bounded by --count. Prints one result line
 * starting with "RESULT " that bench/cloud/run.sh turns into bench/RESULTS.md.
 */

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

public class RegistrationBench {
    static String url;
    static String[] urls;
    static String token;
    static TrustManager[] trust;
    static SSLContext tls;
    static boolean fresh;
    static boolean confirm;
    static String host;
    static int port;
    static long[] serverPids = {};

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("--confirm")) {
                a.put("--confirm", "true");
            } else if (argv[i].startsWith("--") && i + 1 < argv.length) {
                a.put(argv[i], argv[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument " + argv[i]);
            }
        }
        urls = require(a, "--url").split(",");
        url = urls[0];
        for (String each : urls) {
            if (!"https".equals(URI.create(each).getScheme())) {
                throw new IllegalArgumentException("--url must be https://");
            }
        }
        URI u = URI.create(url);
        host = u.getHost();
        port = u.getPort();
        token = Files.readString(Path.of(require(a, "--token-file"))).trim();
        int clients = Integer.parseInt(a.getOrDefault("--clients", "50"));
        int count = Integer.parseInt(a.getOrDefault("--count", "15000"));
        int warmup = Integer.parseInt(a.getOrDefault("--warmup", "2000"));
        fresh = "fresh".equals(a.getOrDefault("--connections", "keepalive"));
        confirm = a.containsKey("--confirm");
        if (fresh && urls.length > 1) {
            throw new IllegalArgumentException("several --url need --connections keepalive");
        }
        if (a.containsKey("--server-pid")) {
            serverPids = Arrays.stream(a.get("--server-pid").split(",")).mapToLong(Long::parseLong).toArray();
        }

        trust = BenchKit.trustManagers(Path.of(require(a, "--ca-file")));
        tls = BenchKit.tls(trust);

        long t0 = System.nanoTime();
        ConcurrentLinkedQueue<String> codes = createCodes(count + warmup);
        System.out.printf("created %d codes in %.1f s%n", codes.size(), (System.nanoTime() - t0) / 1e9);

        run(clients, warmup, codes, "warm-up");
        long cpu0 = serverCpuMillis();
        long clientCpu0 = clientCpuMillis();
        Phase measured = run(clients, count, codes, "measured");
        double serverCpu = serverPids.length == 0 ? -1 : (serverCpuMillis() - cpu0) / (double) measured.ok;
        double clientCpu = (clientCpuMillis() - clientCpu0) / (double) measured.ok;
        long[] lat = measured.latencies;
        Arrays.sort(lat);
        double seconds = measured.elapsedNanos / 1e9;
        double rate = measured.ok / seconds;
        int[] windows = measured.windowRates(5);
        int minWindow = Arrays.stream(windows).min().orElse(0);
        int maxWindow = Arrays.stream(windows).max().orElse(0);
        System.out.printf("%d %s in %.2f s with %d clients (%s connections): %.0f/s; 5 s windows %d..%d/s%n",
                measured.ok, confirm ? "register+confirm" : "registrations", seconds, clients,
                fresh ? "fresh TLS" : "keep-alive", rate, minWindow, maxWindow);
        System.out.printf("latency ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f; failures %d%n", pct(lat, 50),
                pct(lat, 90), pct(lat, 99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6, measured.failed);
        System.out.printf("CPU per %s: server %.2f ms, load generator %.2f ms%n",
                confirm ? "register+confirm" : "registration", serverCpu, clientCpu);
        System.out.printf(java.util.Locale.ROOT,
                "RESULT clients=%d connections=%s confirm=%b count=%d seconds=%.2f rate=%.0f window_min=%d "
                        + "window_max=%d p50=%.1f p90=%.1f p99=%.1f max=%.1f failures=%d server_cpu_ms=%.2f "
                        + "client_cpu_ms=%.2f%n",
                clients, fresh ? "fresh" : "keepalive", confirm, measured.ok, seconds, rate, minWindow, maxWindow,
                pct(lat, 50), pct(lat, 90), pct(lat, 99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6,
                measured.failed, serverCpu, clientCpu);
        if (measured.failed > 0) {
            System.exit(1);
        }
    }

    /** User + system CPU time of the server processes, from /proc (Linux); 0 without --server-pid. */
    static long serverCpuMillis() throws java.io.IOException {
        long ticks = 0;
        for (long pid : serverPids) {
            ticks += BenchKit.cpuTicks(pid);
        }
        return ticks * 10; // USER_HZ is 100 on Linux
    }

    static long clientCpuMillis() {
        return BenchKit.ownCpuMillis();
    }

    static String require(Map<String, String> a, String name) {
        return BenchKit.require(a, name);
    }

    static double pct(long[] sorted, int p) {
        return BenchKit.percentile(sorted, p, 1e6);
    }

    static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"(PROV-[0-9A-Z-]+)\"");
    static final Pattern DEVICE = Pattern.compile("\"device_id\"\\s*:\\s*\"(dev_[0-9a-z]+)\"");
    static final Pattern KEY = Pattern.compile("\"api_key\"\\s*:\\s*\"(efk_[0-9a-z]+)\"");

    static ConcurrentLinkedQueue<String> createCodes(int n) throws Exception {
        ConcurrentLinkedQueue<String> codes = new ConcurrentLinkedQueue<>();
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger left = new AtomicInteger(n);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(pool.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url
                            + "/api/v1/admin/provisioning-codes")).header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"ttl_seconds\": 86400, \"label\": \"bench\"}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    Matcher m = CODE.matcher(r.body());
                    if (r.statusCode() != 201 || !m.find()) {
                        throw new IllegalStateException("creating a code: " + r.statusCode() + " " + r.body());
                    }
                    codes.add(m.group(1));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return codes;
    }

    static final class Phase {
        long[] latencies;
        int ok;
        int failed;
        long elapsedNanos;
        AtomicLongArray perSecond = new AtomicLongArray(3600);

        int[] windowRates(int size) {
            int seconds = (int) Math.min(3600, elapsedNanos / 1_000_000_000L);
            int n = Math.max(1, seconds / size);
            int[] rates = new int[n];
            for (int w = 0; w < n; w++) {
                long sum = 0;
                for (int s = w * size; s < (w + 1) * size && s < 3600; s++) {
                    sum += perSecond.get(s);
                }
                rates[w] = (int) (sum / size);
            }
            return rates;
        }
    }

    static Phase run(int clients, int count, ConcurrentLinkedQueue<String> codes, String name) throws Exception {
        Phase phase = new Phase();
        AtomicInteger left = new AtomicInteger(count);
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        long[] start = new long[1];
        List<Future<long[]>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            String base = urls[c % urls.length];
            results.add(pool.submit(() -> {
                HttpClient client = fresh ? null
                        : HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                                .connectTimeout(Duration.ofSeconds(10)).build();
                if (client != null) { // open the connection before the clock starts
                    client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/health")).build(),
                            HttpResponse.BodyHandlers.discarding());
                }
                long[] mine = new long[count];
                int n = 0;
                ready.countDown();
                go.await();
                while (left.getAndDecrement() > 0) {
                    String code = codes.poll();
                    if (code == null) {
                        throw new IllegalStateException("ran out of codes");
                    }
                    long t = System.nanoTime();
                    boolean ok = provision(client, base, code);
                    long end = System.nanoTime();
                    if (ok) {
                        mine[n++] = end - t;
                        int second = (int) ((end - start[0]) / 1_000_000_000L);
                        if (second >= 0 && second < 3600) {
                            phase.perSecond.incrementAndGet(second);
                        }
                    } else {
                        failures.incrementAndGet();
                    }
                }
                return Arrays.copyOf(mine, n);
            }));
        }
        if (!ready.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("clients did not get ready");
        }
        start[0] = System.nanoTime();
        go.countDown();
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : results) {
            all.add(f.get(30, TimeUnit.MINUTES));
        }
        phase.elapsedNanos = System.nanoTime() - start[0];
        pool.shutdownNow();
        phase.latencies = all.stream().flatMapToLong(Arrays::stream).toArray();
        phase.ok = phase.latencies.length;
        phase.failed = failures.get();
        System.out.printf("%s: %d ok, %d failed in %.2f s%n", name, phase.ok, phase.failed, phase.elapsedNanos / 1e9);
        return phase;
    }

    static String body(String code) {
        return "{\"provisioning_code\": \"" + code + "\", \"request_id\": \"" + UUID.randomUUID()
                + "\", \"hardware\": {\"board_model\": \"Raspberry Pi 4 Model B Rev 1.4\", \"cpu_cores\": 4,"
                + " \"ram_mb\": 4096, \"os\": \"linux\", \"arch\": \"arm64\", \"kernel\": \"6.1.0-rpi7-rpi-2712\"},"
                + " \"network\": {\"hostname\": \"bench-device\", \"ip_address\": \"192.168.1.100\","
                + " \"mac_address\": \"dc:a6:32:00:00:01\", \"connection_type\": \"ethernet\"}}";
    }

    /** One device: register (and confirm). */
    static boolean provision(HttpClient client, String base, String code) throws Exception {
        String[] r = send(client, base, "POST", "/api/v1/devices/register", body(code), null);
        if (!r[0].equals("201")) {
            System.err.println("registration answered " + r[0] + ": " + r[1]);
            return false;
        }
        if (!confirm) {
            return true;
        }
        Matcher d = DEVICE.matcher(r[1]);
        Matcher k = KEY.matcher(r[1]);
        if (!d.find() || !k.find()) {
            return false;
        }
        String[] c = send(client, base, "POST", "/api/v1/devices/" + d.group(1) + "/confirm", null, k.group(1));
        if (!c[0].equals("200")) {
            System.err.println("confirmation answered " + c[0] + ": " + c[1]);
            return false;
        }
        return true;
    }

    static String[] send(HttpClient client, String base, String method, String path, String body, String bearer)
            throws Exception {
        if (client != null) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new String[] {Integer.toString(r.statusCode()), r.body()};
        }
        // a new TLS connection with a new SSL context: a full handshake, no session resumption
        SSLContext context = BenchKit.tls(trust);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(60_000);
            SSLParameters params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(params);
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                    + (bearer == null ? "" : "\r\nAuthorization: Bearer " + bearer) + "\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new String[] {response.substring(9, 12), response.substring(response.indexOf("\r\n\r\n") + 4)};
        }
    }
}
