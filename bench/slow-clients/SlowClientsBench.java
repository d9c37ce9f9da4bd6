/*
 * Slow-client benchmark for the EdgeFlow reference cloud. JDK only, run from source, in two roles:
 *
 *   java bench/slow-clients/SlowClientsBench.java probe --url https://127.0.0.1:PORT --ca-file DATA/ca.pem \
 *        --token-file DATA/admin-token --phase NAME [--probes 300]
 *   java bench/slow-clients/SlowClientsBench.java fleet --url https://127.0.0.1:PORT --ca-file DATA/ca.pem \
 *        [--slow 1000] [--addresses 10] [--hold 600] [--byte-every 10] [--stop-file PATH]
 *
 * probe: 4 threads from 127.0.0.1 run PROBES rounds of three requests each: GET /api/v1/health on a kept-alive
 *   connection, POST /api/v1/devices/register with a fresh code (created first through the admin API, not
 *   measured) on a kept-alive connection, and GET /api/v1/health on a new TLS connection (a full handshake, as a
 *   device's first contact). A warm-up of 20 rounds is not measured. Reported: p50, p99, max in ms and failures
 *   (any answer but 200/201, or none within 30 s) per request kind.
 * fleet: SLOW connections from ADDRESSES loopback addresses (127.0.0.2, 127.0.0.3, ...), each a TLS connection
 *   that sends `POST /api/v1/devices/register` with `Content-Length: 10000` and then one byte every BYTE_EVERY
 *   seconds, as the report of issue 10 describes. When the server answers (408 once its body timeout is over) or
 *   closes one, it is opened again at once, so SLOW stay open for HOLD seconds or until PATH exists; then all
 *   are closed. Prints
 *   "FLEET-OPEN" once all are open (run.sh starts the loaded probes then), and at the end how many were open at
 *   most, opened in all, answered 408, refused or closed.
 *
 * run.sh runs the fleet as a separate process at low priority (nice 19): the attackers stand for other
 * machines, and what is measured is the server, not the load generator's share of this machine's cores.
 * Bounded: PROBES rounds (each request at most 30 s), HOLD seconds of fleet. Traffic goes only to --url.
 * Prints "RESULT " lines that bench/slow-clients/run.sh turns into bench/RESULTS.md.
 */

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
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
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

public class SlowClientsBench {
    static String url;
    static String host;
    static int port;
    static String token;
    static TrustManager[] trust;
    static SSLContext tls;

    static final int PROBE_THREADS = 4;
    static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"(PROV-[0-9A-Z-]+)\"");

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0 || !(argv[0].equals("probe") || argv[0].equals("fleet"))) {
            throw new IllegalArgumentException("first argument: probe or fleet");
        }
        String role = argv[0];
        Map<String, String> a = new HashMap<>();
        for (int i = 1; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + argv[i]);
            }
            a.put(argv[i], argv[i + 1]);
        }
        url = require(a, "--url");
        URI u = URI.create(url);
        host = u.getHost();
        port = u.getPort();
        int slow = Integer.parseInt(a.getOrDefault("--slow", "1000"));
        int addresses = Integer.parseInt(a.getOrDefault("--addresses", "10"));
        int probes = Integer.parseInt(a.getOrDefault("--probes", "300"));
        int hold = Integer.parseInt(a.getOrDefault("--hold", "600"));
        int byteEvery = Integer.parseInt(a.getOrDefault("--byte-every", "10"));
        if (slow < 1 || slow > 5000 || addresses < 1 || addresses > 200 || probes < 1 || probes > 10_000
                || hold < 1 || hold > 600) {
            throw new IllegalArgumentException("out of bounds: --slow 1..5000, --addresses 1..200, --probes 1..10000,"
                    + " --hold 1..600");
        }

        trust = BenchKit.trustManagers(Path.of(require(a, "--ca-file")));
        tls = BenchKit.tls(trust);

        if (role.equals("fleet")) {
            SlowFleet fleet = new SlowFleet(slow, addresses, byteEvery);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(hold);
            fleet.start();
            if (fleet.allOpen.await(hold, TimeUnit.SECONDS)) {
                System.out.printf("FLEET-OPEN %d slow connections from %d addresses%n", fleet.open.get(), addresses);
            } else {
                System.out.printf("FLEET-OPEN only %d of %d slow connections after %d s%n", fleet.open.get(), slow, hold);
            }
            System.out.flush();
            Path stop = a.containsKey("--stop-file") ? Path.of(a.get("--stop-file")) : null;
            while (System.nanoTime() < deadline && (stop == null || !Files.exists(stop))) {
                TimeUnit.MILLISECONDS.sleep(200); // holding them is the point
            }
            fleet.stop();
            fleet.print();
            return;
        }
        token = Files.readString(Path.of(require(a, "--token-file"))).trim();
        String phase = require(a, "--phase");
        int warmup = PROBE_THREADS * 5;
        ConcurrentLinkedQueue<String> codes = createCodes(warmup + probes);
        probeRounds(warmup, codes, "warm-up", false);
        Probes measured = probeRounds(probes, codes, phase, true);
        measured.print();
        System.exit(measured.failures() == 0 ? 0 : 1);
    }

    static String require(Map<String, String> a, String name) {
        return BenchKit.require(a, name);
    }

    // ------------------------------------------------------------------ probes

    static final String[] KINDS = {"health", "register", "health_new_tls"};

    static final class Probes {
        final String phase;
        final Map<String, List<Long>> latencies = new HashMap<>();
        final Map<String, AtomicInteger> failed = new HashMap<>();

        Probes(String phase) {
            this.phase = phase;
            for (String k : KINDS) {
                latencies.put(k, new ArrayList<>());
                failed.put(k, new AtomicInteger());
            }
        }

        synchronized void record(String kind, long nanos) {
            latencies.get(kind).add(nanos);
        }

        synchronized double p99(String kind) {
            return pct(sorted(kind), 99);
        }

        synchronized long[] sorted(String kind) {
            long[] s = latencies.get(kind).stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(s);
            return s;
        }

        int failures() {
            return failed.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        void print() {
            for (String k : KINDS) {
                long[] s = sorted(k);
                System.out.printf(Locale.ROOT, "RESULT kind=probe phase=%s request=%s count=%d p50=%.1f p99=%.1f "
                        + "max=%.1f failures=%d%n", phase, k, s.length, pct(s, 50), pct(s, 99),
                        s.length == 0 ? 0 : s[s.length - 1] / 1e6, failed.get(k).get());
            }
        }
    }

    static double pct(long[] sorted, int p) {
        return BenchKit.percentile(sorted, p, 1e6);
    }

    /** ROUNDS rounds of (health keep-alive, register keep-alive, health on a new TLS connection), 4 threads. */
    static Probes probeRounds(int rounds, ConcurrentLinkedQueue<String> codes, String phase, boolean report)
            throws Exception {
        Probes probes = new Probes(phase);
        AtomicInteger left = new AtomicInteger(rounds);
        ExecutorService pool = Executors.newFixedThreadPool(PROBE_THREADS);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < PROBE_THREADS; t++) {
            done.add(pool.submit(() -> {
                HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(30)).build();
                while (left.getAndDecrement() > 0) {
                    timed(probes, "health", () -> client.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/health"))
                            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
                    String code = codes.poll();
                    timed(probes, "register", () -> code != null && client.send(HttpRequest.newBuilder(URI.create(url
                            + "/api/v1/devices/register")).timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(registration(code))).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 201);
                    timed(probes, "health_new_tls", SlowClientsBench::healthOnANewConnection);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        if (report) {
            System.out.printf("%s: register p99 %.1f ms, %d failures%n", phase, probes.p99("register"), probes.failures());
        }
        return probes;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void timed(Probes probes, String kind, Check check) {
        long t0 = System.nanoTime();
        boolean ok;
        try {
            ok = check.ok();
        } catch (Exception e) {
            System.err.println(kind + " failed: " + e);
            ok = false;
        }
        if (ok) {
            probes.record(kind, System.nanoTime() - t0);
        } else {
            probes.failed.get(kind).incrementAndGet();
        }
    }

    /** A new TLS connection with a new SSL context (a full handshake), one health request. */
    static boolean healthOnANewConnection() throws Exception {
        SSLContext context = BenchKit.tls(trust);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(host, port), 30_000);
            socket.setSoTimeout(30_000);
            SSLParameters params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(params);
            socket.getOutputStream().write(("GET /api/v1/health HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return response.startsWith("HTTP/1.1 200");
        }
    }

    static String registration(String code) {
        return "{\"provisioning_code\": \"" + code + "\", \"request_id\": \"" + UUID.randomUUID()
                + "\", \"hardware\": {\"board_model\": \"Raspberry Pi 4 Model B Rev 1.4\", \"cpu_cores\": 4,"
                + " \"ram_mb\": 4096, \"os\": \"linux\", \"arch\": \"arm64\"},"
                + " \"network\": {\"hostname\": \"bench-device\", \"connection_type\": \"ethernet\"}}";
    }

    static ConcurrentLinkedQueue<String> createCodes(int n) throws Exception {
        ConcurrentLinkedQueue<String> codes = new ConcurrentLinkedQueue<>();
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url
                    + "/api/v1/admin/provisioning-codes")).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ttl_seconds\": 86400, \"label\": \"slow-bench\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = CODE.matcher(r.body());
            if (r.statusCode() != 201 || !m.find()) {
                throw new IllegalStateException("creating a code: " + r.statusCode() + " " + r.body());
            }
            codes.add(m.group(1));
        }
        return codes;
    }

    // ------------------------------------------------------------------ the slow connections

    static final class SlowFleet {
        final int count;
        final int addresses;
        final int byteEvery;
        final AtomicBoolean stopping = new AtomicBoolean();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger maxOpen = new AtomicInteger();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger answered408 = new AtomicInteger();
        final AtomicInteger answeredOther = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicInteger bytesSent = new AtomicInteger();
        final CountDownLatch allOpen;
        final List<Thread> threads = new ArrayList<>();
        final List<SSLSocket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());

        SlowFleet(int count, int addresses, int byteEvery) {
            this.count = count;
            this.addresses = addresses;
            this.byteEvery = byteEvery;
            this.allOpen = new CountDownLatch(count);
        }

        void start() {
            for (int i = 0; i < count; i++) {
                String from = "127.0.0." + (2 + i % addresses);
                boolean[] counted = {false};
                Thread t = new Thread(null, () -> run(from, counted), "slow-" + i, 256 * 1024);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        /** One slow client: open, send the head, then a byte every BYTE_EVERY s; again when the server ends it. */
        void run(String from, boolean[] counted) {
            while (!stopping.get()) {
                SSLSocket socket = null;
                boolean isOpen = false;
                try {
                    socket = (SSLSocket) tls.getSocketFactory().createSocket();
                    sockets.add(socket);
                    socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
                    socket.connect(new InetSocketAddress(host, port), 30_000);
                    socket.setSoTimeout(30_000);
                    socket.startHandshake();
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /api/v1/devices/register HTTP/1.1\r\nHost: " + host + ":" + port
                            + "\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    opened.incrementAndGet();
                    isOpen = true;
                    maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                    if (!counted[0]) {
                        counted[0] = true;
                        allOpen.countDown();
                    }
                    socket.setSoTimeout(byteEvery * 1000);
                    InputStream in = socket.getInputStream();
                    while (!stopping.get()) {
                        int first;
                        try {
                            first = in.read(); // waits up to BYTE_EVERY s for the server to answer
                        } catch (SocketTimeoutException quiet) {
                            out.write(' ');
                            out.flush();
                            bytesSent.incrementAndGet();
                            continue;
                        }
                        if (first < 0) {
                            closed.incrementAndGet();
                        } else {
                            byte[] rest = new byte[11];
                            int n = in.readNBytes(rest, 0, 11);
                            String status = (char) first + new String(rest, 0, n, StandardCharsets.US_ASCII);
                            (status.startsWith("HTTP/1.1 408") ? answered408 : answeredOther).incrementAndGet();
                        }
                        break;
                    }
                } catch (IOException e) {
                    if (!stopping.get()) {
                        (isOpen ? closed : refused).incrementAndGet();
                    }
                } finally {
                    if (isOpen) {
                        open.decrementAndGet();
                    }
                    if (socket != null) {
                        sockets.remove(socket);
                        try {
                            socket.close();
                        } catch (IOException ignored) {
                            // going anyway
                        }
                    }
                }
            }
        }

        void stop() throws InterruptedException {
            stopping.set(true);
            synchronized (sockets) {
                for (SSLSocket s : sockets) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // going anyway
                    }
                }
            }
            for (Thread t : threads) {
                t.join(10_000);
            }
        }

        void print() {
            System.out.printf(Locale.ROOT, "RESULT kind=slow target=%d addresses=%d max_open=%d opened=%d "
                    + "answered_408=%d answered_other=%d closed=%d refused=%d bytes_trickled=%d%n", count, addresses,
                    maxOpen.get(), opened.get(), answered408.get(), answeredOther.get(), closed.get(), refused.get(),
                    bytesSent.get());
        }
    }
}
