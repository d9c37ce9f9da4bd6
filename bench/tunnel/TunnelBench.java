import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import io.edgeflow.protocol.TunnelProtocol;

/**
 * How many device tunnels one reference cloud holds, what each costs in memory, and how long a request
 * through a tunnel takes. Run by bench/tunnel/run.sh against a packaged cloud it started:
 *
 * <pre>
 * java bench/tunnel/TunnelBench.java --url https://127.0.0.1:PORT --ca-file ca.pem --token-file admin-token \
 *     --server-pid PID --steps 1000,2500,5000 --heartbeat 30 --hold 75 --rtt 2000
 * </pre>
 *
 * Each simulated device is what the agent is on the wire: a java.net.http WebSocket over TLS
 * (certificate and host name verified), sub-protocol edgeflow.tunnel.v1, a heartbeat at once and then
 * every interval, answers to requests with a canned facts body. Prints RESULT lines for the script.
 *
 * --rtt-urls URL,...: the round trips are measured through each of these (default: --url), one after the
 * other, each RESULT line naming it by its place (via=0, 1, ...): with the nodes of one cloud, the tunnels
 * held by --url's node and the calls sent to another node measure forwarding between nodes
 * (bench/cloud/nodes.sh). --rtt-path: the device's local path asked (default /api/v1/device/facts; the
 * simulated device answers every path with the facts body).
 */
public class TunnelBench {
    static final Pattern USED = Pattern.compile("used (\\d+)K");
    static final String FACTS = "{\n  \"hardware\": {\"board_model\": \"Raspberry Pi 4 Model B Rev 1.4\", \"cpu_cores\": 4, "
            + "\"ram_mb\": 4096, \"os\": \"linux\", \"arch\": \"arm64\", \"kernel\": \"6.1.0-rpi7-rpi-2712\"},\n"
            + "  \"network\": {\"hostname\": \"edgeflow-pi-001\", \"ip_address\": \"192.168.1.100\", "
            + "\"mac_address\": \"dc:a6:32:01:02:03\", \"connection_type\": \"ethernet\"}\n}\n";
    static final String FACTS_B64 = Base64.getEncoder().encodeToString(FACTS.getBytes(StandardCharsets.UTF_8));

    static String url;
    static List<String> rttUrls;
    static String rttPath = "/api/v1/device/facts";
    static String token;
    static SSLContext tls;
    static long serverPid;
    static HttpClient admin;
    static final AtomicLong heartbeatsSent = new AtomicLong();
    static final AtomicLong heartbeatsAcked = new AtomicLong();
    static final AtomicLong heartbeatsLate = new AtomicLong();
    static final AtomicLong requestsAnswered = new AtomicLong();
    static final AtomicInteger closedUnexpectedly = new AtomicInteger();
    static volatile boolean stopping;

    record Credentials(String id, String key) {
    }

    /** One simulated device. */
    static final class Device implements WebSocket.Listener {
        final Credentials credentials;
        final ScheduledExecutorService timers;
        final Duration interval;
        final StringBuilder partial = new StringBuilder();
        volatile WebSocket ws;
        volatile long outstandingSince;
        volatile boolean online;
        CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
        long seq;

        Device(Credentials credentials, ScheduledExecutorService timers, Duration interval) {
            this.credentials = credentials;
            this.timers = timers;
            this.interval = interval;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (frame.contains(type(TunnelProtocol.HELLO))) {
                    online = true;
                    heartbeat();
                    timers.scheduleAtFixedRate(this::heartbeat, interval.toMillis(), interval.toMillis(),
                            TimeUnit.MILLISECONDS);
                } else if (frame.contains(type(TunnelProtocol.HEARTBEAT_ACK))) {
                    heartbeatsAcked.incrementAndGet();
                    outstandingSince = 0;
                } else if (frame.contains(type(TunnelProtocol.REQUEST))) {
                    String id = frame.replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
                    send("{" + type(TunnelProtocol.RESPONSE) + ",\"id\":\"" + id + "\",\"status\":200,\"headers\":{\"content-type\":"
                            + "\"application/json\"},\"body\":\"" + FACTS_B64 + "\"}");
                    requestsAnswered.incrementAndGet();
                }
            }
            webSocket.request(1);
            return null;
        }

        void heartbeat() {
            if (stopping || !online) {
                return;
            }
            if (outstandingSince != 0 && System.nanoTime() - outstandingSince > interval.toNanos()) {
                heartbeatsLate.incrementAndGet();
            }
            outstandingSince = System.nanoTime();
            heartbeatsSent.incrementAndGet();
            send("{" + type(TunnelProtocol.HEARTBEAT) + ",\"seq\":" + (++seq) + "}");
        }

        synchronized void send(String text) {
            WebSocket socket = ws;
            sending = sending.handle((a, b) -> null).thenCompose(x -> socket.sendText(text, true));
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (!stopping) {
                closedUnexpectedly.incrementAndGet();
            }
            online = false;
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (!stopping) {
                closedUnexpectedly.incrementAndGet();
            }
            online = false;
        }
    }

    public static void main(String[] args) throws Exception {
        String caFile = null;
        String tokenFile = null;
        List<Integer> steps = List.of(1000, 2500, 5000);
        int heartbeatSeconds = 30;
        int holdSeconds = 75;
        int rttCount = 2000;
        int clients = 8;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--ca-file" -> caFile = args[i + 1];
                case "--token-file" -> tokenFile = args[i + 1];
                case "--server-pid" -> serverPid = Long.parseLong(args[i + 1]);
                case "--steps" -> steps = Arrays.stream(args[i + 1].split(",")).map(Integer::parseInt).toList();
                case "--heartbeat" -> heartbeatSeconds = Integer.parseInt(args[i + 1]);
                case "--hold" -> holdSeconds = Integer.parseInt(args[i + 1]);
                case "--rtt" -> rttCount = Integer.parseInt(args[i + 1]);
                case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                case "--rtt-urls" -> rttUrls = List.of(args[i + 1].split(","));
                case "--rtt-path" -> rttPath = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (rttUrls == null) {
            rttUrls = List.of(url);
        }
        tls = trusting(Path.of(caFile));
        token = Files.readString(Path.of(tokenFile)).trim();
        admin = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        int max = steps.get(steps.size() - 1);

        long t0 = System.nanoTime();
        List<Credentials> devices = provision(max);
        log("provisioned %d devices in %.1f s", max, (System.nanoTime() - t0) / 1e9);

        // the server at rest, after the provisioning traffic
        Memory base = memory();
        println("RESULT phase=baseline tunnels=0 heap_kib=%d rss_kib=%d fds=%d", base.heapKib, base.rssKib, base.fds);

        List<HttpClient> wsClients = new ArrayList<>();
        List<ExecutorService> executors = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            ExecutorService executor = Executors.newFixedThreadPool(2);
            executors.add(executor);
            wsClients.add(HttpClient.newBuilder().sslContext(tls).executor(executor)
                    .connectTimeout(Duration.ofSeconds(30)).build());
        }
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
        Duration interval = Duration.ofSeconds(heartbeatSeconds);
        List<Device> open = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        ConcurrentLinkedQueue<String> failureSamples = new ConcurrentLinkedQueue<>();
        URI tunnel = URI.create(url.replace("https://", "wss://") + TunnelProtocol.PATH);
        Semaphore inFlight = new Semaphore(64);
        for (int step : steps) {
            long start = System.nanoTime();
            List<CompletableFuture<Void>> opening = new ArrayList<>();
            for (int i = open.size(); i < step; i++) {
                Device d = new Device(devices.get(i), timers, interval);
                open.add(d);
                inFlight.acquire();
                CompletableFuture<Void> f = wsClients.get(i % clients).newWebSocketBuilder()
                        .header("Authorization", "Bearer " + d.credentials.key())
                        .header(TunnelProtocol.DEVICE_ID_HEADER, d.credentials.id())
                        .subprotocols(TunnelProtocol.V1).connectTimeout(Duration.ofSeconds(60))
                        .buildAsync(tunnel, d).handle((ws, e) -> {
                            inFlight.release();
                            if (e != null) {
                                failures.incrementAndGet();
                                if (failureSamples.size() < 5) {
                                    failureSamples.add(e.toString());
                                }
                            }
                            return null;
                        });
                opening.add(f);
            }
            CompletableFuture.allOf(opening.toArray(new CompletableFuture[0])).join();
            double seconds = (System.nanoTime() - start) / 1e9;
            long waitEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (open.stream().filter(d -> d.online).count() < step - failures.get() && System.nanoTime() < waitEnd) {
                Thread.sleep(100);
            }
            long online = open.stream().filter(d -> d.online).count();
            Memory m = memory();
            println("RESULT phase=step tunnels=%d online=%d failures=%d connect_s=%.1f rate=%.0f heap_kib=%d rss_kib=%d fds=%d",
                    step, online, failures.get(), seconds, (step - (open.size() - opening.size())) / seconds,
                    m.heapKib, m.rssKib, m.fds);
            log("%d tunnels open (%d failed) in %.1f s; server heap %d MiB, RSS %d MiB", online, failures.get(),
                    seconds, m.heapKib / 1024, m.rssKib / 1024);
            failureSamples.forEach(s -> log("  failure: %s", s));
        }

        // hold: every tunnel keeps beating for a while; count what the cloud answered
        long sentBefore = heartbeatsSent.get();
        long ackedBefore = heartbeatsAcked.get();
        long cpuBefore = serverCpuTicks();
        long holdStart = System.nanoTime();
        Thread.sleep(holdSeconds * 1000L);
        double held = (System.nanoTime() - holdStart) / 1e9;
        long cpuAfter = serverCpuTicks();
        long sent = heartbeatsSent.get() - sentBefore;
        long acked = heartbeatsAcked.get() - ackedBefore;
        long online = open.stream().filter(d -> d.online).count();
        double cpuPercent = (cpuAfter - cpuBefore) / 100.0 / held * 100;
        Memory full = memory();
        println("RESULT phase=hold tunnels=%d online=%d held_s=%.0f heartbeats_sent=%d heartbeats_acked=%d late=%d "
                + "closed=%d server_cpu_pct=%.1f heap_kib=%d rss_kib=%d fds=%d", open.size(), online, held, sent, acked,
                heartbeatsLate.get(), closedUnexpectedly.get(), cpuPercent, full.heapKib, full.rssKib, full.fds);

        // round trips through the tunnels: the admin API asks a device for its facts
        List<Device> reachable = open.stream().filter(d -> d.online).toList();
        for (int via = 0; via < rttUrls.size(); via++) {
            rtt(reachable, via, 1, Math.min(200, rttCount / 10), rttCount);
            rtt(reachable, via, 16, 400, rttCount * 2);
        }

        stopping = true;
        for (Device d : open) {
            if (d.ws != null) {
                d.ws.abort();
            }
        }
        timers.shutdownNow();
        executors.forEach(ExecutorService::shutdownNow);
        System.exit(0);
    }

    static void rtt(List<Device> devices, int via, int concurrency, int warmup, int count) throws Exception {
        String base = rttUrls.get(via);
        String path = "/local" + rttPath;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        java.util.Map<String, AtomicInteger> kinds = new java.util.concurrent.ConcurrentSkipListMap<>();
        long[] samples = new long[count];
        AtomicInteger measured = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        long[] measuredStart = {0};
        for (int c = 0; c < concurrency; c++) {
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        int n = next.getAndIncrement();
                        if (n >= warmup + count) {
                            break;
                        }
                        Device d = devices.get(ThreadLocalRandom.current().nextInt(devices.size()));
                        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/devices/"
                                + d.credentials.id() + path)).header("Authorization", "Bearer " + token)
                                .timeout(Duration.ofSeconds(30)).GET().build();
                        long t1 = System.nanoTime();
                        HttpResponse<String> response = admin.send(request, HttpResponse.BodyHandlers.ofString());
                        long micros = (System.nanoTime() - t1) / 1000;
                        if (response.statusCode() != 200 || !response.body().equals(FACTS)) {
                            errors.incrementAndGet();
                            String code = response.body().replaceAll("(?s).*\"error\"\\s*:\\s*\"([a-z_]+)\".*", "$1");
                            kinds.computeIfAbsent(response.statusCode() + (code.length() < 40 ? ":" + code : ""),
                                    k -> new AtomicInteger()).incrementAndGet();
                        }
                        if (n >= warmup) {
                            samples[measured.getAndIncrement()] = micros;
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                    kinds.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
            t.start();
        }
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        int n = measured.get();
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        println("RESULT phase=rtt via=%d concurrency=%d count=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f rate=%.0f errors=%d error_kinds=%s",
                via, concurrency, n, pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), sorted[n - 1] / 1000.0,
                (warmup + count) / seconds, errors.get(), kinds.isEmpty() ? "-"
                        : kinds.entrySet().stream().map(e -> e.getKey() + "x" + e.getValue()).collect(
                                java.util.stream.Collectors.joining(",")));
    }

    /** @return the JSON member that names a frame's type, as the cloud writes it: {@code "type":"hello"} */
    static String type(String name) {
        return "\"type\":\"" + name + "\"";
    }

    static double pct(long[] sorted, double p) {
        return BenchKit.percentile(sorted, p, 1000.0);
    }

    /** Creates a code, registers and confirms, for each device; 16 at a time. */
    static List<Credentials> provision(int count) throws Exception {
        Credentials[] result = new Credentials[count];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int w = 0; w < 16; w++) {
            all.add(CompletableFuture.runAsync(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    try {
                        String code = field(call("POST", "/api/v1/admin/provisioning-codes", "{}", token, 201), "code");
                        String registered = call("POST", "/api/v1/devices/register", "{\"provisioning_code\":\"" + code
                                + "\",\"request_id\":\"" + UUID.randomUUID() + "\",\"network\":{\"hostname\":\"bench-"
                                + i + "\"}}", null, 201);
                        Credentials c = new Credentials(field(registered, "device_id"), field(registered, "api_key"));
                        call("POST", "/api/v1/devices/" + c.id() + "/confirm", null, c.key(), 200);
                        result[i] = c;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, pool));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
        pool.shutdown();
        return List.of(result);
    }

    static String call(String method, String path, String body, String bearer, int expected)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = admin.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }

    record Memory(long heapKib, long rssKib, long fds) {
    }

    /** The server's heap in use after a full GC (jcmd), its resident set and open file descriptors. */
    static Memory memory() throws Exception {
        run("jcmd", Long.toString(serverPid), "GC.run");
        Thread.sleep(500);
        String info = run("jcmd", Long.toString(serverPid), "GC.heap_info");
        Matcher m = USED.matcher(info);
        long heap = m.find() ? Long.parseLong(m.group(1)) : -1;
        long rss = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + serverPid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        long fds;
        try (var list = Files.list(Path.of("/proc/" + serverPid + "/fd"))) {
            fds = list.count();
        }
        return new Memory(heap, rss, fds);
    }

    static long serverCpuTicks() throws IOException {
        return BenchKit.cpuTicks(serverPid);
    }

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    static SSLContext trusting(Path caFile) throws Exception {
        return BenchKit.tls(BenchKit.trustManagers(caFile));
    }

    static void println(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    static void log(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }
}
