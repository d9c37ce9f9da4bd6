import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Times collecting all device facts once (hardware and network), as GET /api/v1/device/facts does when
 * no reading is cached: the first call in a fresh JVM, then the median of warm calls.
 *
 * The collectors are internal to their bundles; this harness reaches them by reflection from the plain
 * class path, outside OSGi, so that it times the reading and parsing and nothing else.
 *
 * With {@code jdk-warm} as third argument, the JDK machinery any running agent has used long before the
 * first request (lambdas, string concatenation, streams, regular expressions, NIO, java.net) is used once
 * before the first call, so that the first call counts only the collectors' own classes and work.
 *
 * usage: java -cp <bundle jars>:<out> FactsBench [sysroot] [warm-iterations] [cold|jdk-warm]
 */
public final class FactsBench {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : "/");
        int warm = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        if (args.length > 2 && args[2].equals("jdk-warm")) {
            warmTheJdk();
        }

        Class<?> jvmClass = Class.forName("io.edgeflow.facts.hardware.internal.Jvm");
        Method jvmCurrent = jvmClass.getDeclaredMethod("current");
        jvmCurrent.setAccessible(true);
        Class<?> hwClass = Class.forName("io.edgeflow.facts.hardware.internal.HardwareCollector");
        Constructor<?> hwNew = hwClass.getDeclaredConstructor(Path.class, jvmClass);
        hwNew.setAccessible(true);
        Method hwCollect = hwClass.getDeclaredMethod("collect");
        hwCollect.setAccessible(true);
        Method netCollector = Class.forName("io.edgeflow.facts.network.internal.NetworkFactsComponent")
                .getDeclaredMethod("collector", Path.class);
        netCollector.setAccessible(true);
        Method netCollect = Class.forName("io.edgeflow.facts.network.internal.NetworkCollector")
                .getDeclaredMethod("collect");
        netCollect.setAccessible(true);

        Runnable once = () -> {
            try {
                // a new hardware collector each time: the component reads once per activation, so its
                // first call is the one that counts; the network collector reads on every call
                Object hw = hwNew.newInstance(root, jvmCurrent.invoke(null));
                Object facts = hwCollect.invoke(hw);
                Object net = netCollect.invoke(netCollector.invoke(null, root));
                if (facts == null || net == null) {
                    throw new IllegalStateException("no facts");
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        };

        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        once.run();
        long first = System.nanoTime() - t0;
        long firstCpu = threads.getCurrentThreadCpuTime() - c0;

        for (int i = 0; i < 200; i++) {
            once.run();
        }
        long[] times = new long[warm];
        for (int i = 0; i < warm; i++) {
            long s = System.nanoTime();
            once.run();
            times[i] = System.nanoTime() - s;
        }
        Arrays.sort(times);
        System.out.printf("first_ms=%.3f first_cpu_ms=%.3f warm_median_ms=%.3f warm_p90_ms=%.3f warm_min_ms=%.3f%n",
                first / 1e6, firstCpu / 1e6, times[warm / 2] / 1e6, times[(int) (warm * 0.9)] / 1e6, times[0] / 1e6);
    }

    private record Pair(int a) {
    }

    /** Uses, once, what Felix, SCR and Jetty have used long before a running agent answers a request. */
    private static void warmTheJdk() throws Exception {
        Runnable r = () -> { };
        r.run();
        String s = "x" + System.nanoTime();
        java.util.List.of("a", s).stream().filter(x -> !x.isEmpty()).map(String::strip).toList();
        "abc".chars().allMatch(c -> c > 0);
        java.util.regex.Pattern.compile("[a-z]+\\s*(\\d+)").matcher("ab 1").matches();
        try (var in = java.nio.file.Files.newInputStream(Path.of("/proc/version"))) {
            in.readAllBytes();
        }
        try (var list = java.nio.file.Files.list(Path.of("/proc/self"))) {
            list.count();
        }
        java.util.Optional.of(new Pair(1)).map(Pair::a).filter(i -> i > 0).orElse(0);
        java.net.NetworkInterface.getByName("lo");
        java.util.HexFormat.of().parseHex("00");
    }
}
