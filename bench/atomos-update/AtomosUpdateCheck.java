import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.felix.atomos.Atomos;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Can a bundle that Apache Felix Atomos installed from the class path still be updated at run time from a jar, as
 * remote bundle updates and the restart rule need (issue 12)? Two bundles on the class path: probe (exports package
 * probe) and user (imports it). Run by run.sh: the first start updates probe from a jar and refreshes; the second
 * start, on the same storage, shows what was kept.
 */
public class AtomosUpdateCheck {
    public static void main(String[] args) throws Exception {
        Framework framework = Atomos.newAtomos().newFramework(Map.of(Constants.FRAMEWORK_STORAGE, args[0],
                Constants.FRAMEWORK_STORAGE_CLEAN, "none"));
        framework.start();
        try {
            report("start", framework);
            if (args.length > 1) {
                try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
                    bundle(framework, "probe").update(in);
                }
                CountDownLatch refreshed = new CountDownLatch(1);
                framework.adapt(FrameworkWiring.class).refreshBundles(null, e -> refreshed.countDown());
                refreshed.await(20, TimeUnit.SECONDS);
                report("after probe.update(InputStream) and a refresh", framework);
            }
        } finally {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    private static void report(String when, Framework framework) throws Exception {
        Bundle probe = bundle(framework, "probe");
        URL text = probe.getEntry("probe/version.txt");
        System.out.println(when + ": probe " + probe.getVersion() + " at " + probe.getLocation() + ", its content says '"
                + new String(text.openStream().readAllBytes()).strip() + "', its class says '"
                + probe.loadClass("probe.Version").getMethod("v").invoke(null) + "'");
        Bundle user = bundle(framework, "user");
        try {
            Class<?> userClass = user.loadClass("user.User");
            System.out.println(when + ": user (imports probe, class loader " + userClass.getClassLoader()
                    + ") calls probe and gets '" + userClass.getMethod("call").invoke(null) + "'");
        } catch (ClassNotFoundException e) {
            System.out.println(when + ": user (imports probe) cannot load its own class: "
                    + (e.getCause() == null ? e : e.getCause().getMessage()));
        }
    }

    private static Bundle bundle(Framework framework, String name) {
        return Arrays.stream(framework.getBundleContext().getBundles()).filter(b -> name.equals(b.getSymbolicName()))
                .findFirst().orElseThrow();
    }
}
