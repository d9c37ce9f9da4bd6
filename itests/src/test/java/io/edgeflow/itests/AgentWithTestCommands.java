package io.edgeflow.itests;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.FrameworkWiring;

import io.edgeflow.launcher.Main;

/**
 * Test only (never in edgeflow.jar): the agent exactly as {@code edgeflow.jar} starts it ({@link Main#start()}),
 * plus commands on standard input that change its bundles at run time through the framework API, as a remote
 * bundle update will: {@code <id> update <bsn> <file>}, {@code <id> install <file>}, {@code <id> uninstall <bsn>},
 * {@code <id> list}. Each answers with lines {@code itest <id>: ...} and ends with {@code itest <id>: done}.
 * RestartRuleIT runs it as {@code java -cp edgeflow.jar:<test classes> io.edgeflow.itests.AgentWithTestCommands}.
 */
public final class AgentWithTestCommands {
    private AgentWithTestCommands() {
    }

    /**
     * @param args not used
     * @throws Exception when the agent cannot run
     */
    public static void main(String[] args) throws Exception {
        Framework framework = Main.start();
        Thread commands = new Thread(() -> readCommands(framework), "itest-commands");
        commands.setDaemon(true);
        commands.start();
        FrameworkEvent stopped = framework.waitForStop(0);
        System.exit(stopped.getType() == FrameworkEvent.ERROR ? 1 : 0);
    }

    private static void readCommands(Framework framework) {
        BundleContext context = framework.getBundleContext();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] words = line.strip().split(" ");
                String id = words[0];
                try {
                    switch (words[1]) {
                        case "update" -> {
                            Bundle bundle = find(context, words[2]);
                            try (InputStream jar = Files.newInputStream(Path.of(words[3]))) {
                                bundle.update(jar);
                            }
                            refresh(framework, bundle);
                            say(id, "updated " + bundle.getSymbolicName() + " " + bundle.getVersion());
                        }
                        case "install" -> {
                            Bundle bundle = context.installBundle(Path.of(words[2]).toUri().toString());
                            say(id, "installed " + bundle.getSymbolicName() + " " + bundle.getVersion());
                        }
                        case "uninstall" -> {
                            Bundle bundle = find(context, words[2]);
                            bundle.uninstall();
                            refresh(framework, bundle);
                            say(id, "uninstalled " + words[2]);
                        }
                        case "list" -> {
                            for (Bundle b : context.getBundles()) {
                                say(id, "bundle " + b.getSymbolicName() + " " + b.getVersion());
                            }
                        }
                        default -> say(id, "unknown command " + words[1]);
                    }
                } catch (Exception e) {
                    say(id, "failed: " + e);
                }
                say(id, "done");
            }
        } catch (Exception e) {
            System.err.println("itest: commands ended: " + e);
        }
    }

    private static Bundle find(BundleContext context, String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new IllegalArgumentException("no bundle " + bsn);
    }

    private static void refresh(Framework framework, Bundle bundle) throws InterruptedException {
        CountDownLatch refreshed = new CountDownLatch(1);
        framework.adapt(FrameworkWiring.class).refreshBundles(Set.of(bundle), e -> refreshed.countDown());
        refreshed.await(30, TimeUnit.SECONDS);
    }

    private static synchronized void say(String id, String text) {
        System.err.println("itest " + id + ": " + text);
        System.err.flush();
    }
}
