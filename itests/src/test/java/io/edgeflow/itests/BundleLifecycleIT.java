package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/**
 * Every EdgeFlow provider bundle can be stopped, updated and started again, many times, on a running
 * agent (as the cloud will do with remote updates): the API keeps answering afterwards and no threads
 * are left behind.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundleLifecycleIT {
    private static final int ROUNDS = 10;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(),
                EdgeFlowRuntime.newTestDirectory("lifecycle").resolve("absent.env"), Map.of());
    }

    private String statusUrl() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port") + "/api/v1/saas/status";
    }

    private List<Bundle> providerBundles() {
        List<Bundle> bundles = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            String bsn = bundle.getSymbolicName();
            // the shutdown bundle stays: stopping it is harmless, but it is not replaced remotely. Fragments
            // (io.edgeflow.slf4j.binding, no code) cannot be stopped or started; BundleUpdateIT updates them
            if (bsn != null && bsn.startsWith("io.edgeflow.") && !bsn.equals("io.edgeflow.api")
                    && bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                bundles.add(bundle);
            }
        }
        return bundles;
    }

    /**
     * The number of live threads once it has stopped changing (the same count over ten looks, 50 ms apart): threads
     * of the bundles just stopped may still be exiting.
     */
    private static int settledThreads() throws InterruptedException {
        int last = -1;
        int same = 0;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (same < 10 && System.nanoTime() < deadline) {
            System.gc();
            int now = Thread.activeCount();
            same = now == last ? same + 1 : 0;
            last = now;
            Thread.sleep(50);
        }
        return last;
    }

    @Test
    public void stopStartAndUpdateTenTimesLeaksNoThreadsAndKeepsServing() throws Exception {
        Http.await(statusUrl(), 200, Duration.ofSeconds(20));
        List<Bundle> bundles = providerBundles();
        assertTrue("expected the EdgeFlow provider bundles, found " + bundles, bundles.size() >= 3);

        // one warm-up round, so that lazily started pools (Jetty's, SCR's) exist before counting
        cycle(bundles, 1);
        int before = settledThreads();

        cycle(bundles, ROUNDS);
        Http.await(statusUrl(), 200, Duration.ofSeconds(20));
        int after = settledThreads();
        assertTrue("threads grew from " + before + " to " + after + " over " + ROUNDS + " rounds",
                after <= before + 2);
        for (Bundle bundle : bundles) {
            assertEquals(bundle.getSymbolicName(), Bundle.ACTIVE, bundle.getState());
        }
    }

    private void cycle(List<Bundle> bundles, int rounds) throws Exception {
        for (int i = 0; i < rounds; i++) {
            for (Bundle bundle : bundles) {
                bundle.stop();
                bundle.start();
                if (i % 2 == 1) {
                    bundle.update(); // re-reads the bundle from its location, as a remote update does
                }
            }
            Http.await(statusUrl(), 200, Duration.ofSeconds(20));
        }
    }
}
