package io.edgeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A change to the HTTP server's configuration through Config Admin (what a console does) re-binds the
 * local API at once, without a restart.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LiveConfigIT {
    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return EdgeFlowRuntime.options(EdgeFlowRuntime.freePort(),
                EdgeFlowRuntime.newTestDirectory("live").resolve("absent.env"), Map.of());
    }

    @Test
    public void portAndHostChangesRebindLive() throws Exception {
        int oldPort = Integer.parseInt(context.getProperty("org.osgi.service.http.port"));
        String oldUrl = "http://127.0.0.1:" + oldPort + "/api/v1/saas/status";
        Http.await(oldUrl, 200, Duration.ofSeconds(20));

        org.osgi.service.cm.Configuration http = configAdmin.getConfiguration("org.apache.felix.http", "?");
        try {
            int newPort = EdgeFlowRuntime.freePort();
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("org.osgi.service.http.port", newPort);
            http.update(props);
            String newUrl = "http://127.0.0.1:" + newPort + "/api/v1/saas/status";
            Http.await(newUrl, 200, Duration.ofSeconds(20));
            assertTrue("the old port still answers", Http.refuses(oldUrl, Duration.ofSeconds(10)));

            // another loopback address: 127.0.0.2 answers, 127.0.0.1 no longer does
            props.put("org.apache.felix.http.host", "127.0.0.2");
            http.update(props);
            Http.await("http://127.0.0.2:" + newPort + "/api/v1/saas/status", 200, Duration.ofSeconds(20));
            assertTrue("127.0.0.1 still answers", Http.refuses(newUrl, Duration.ofSeconds(10)));
        } finally {
            http.delete();
        }
        // deleting the configuration returns to the launcher's defaults: 127.0.0.1 and the first port
        assertEquals(200, Http.await(oldUrl, 200, Duration.ofSeconds(20)).statusCode());
    }
}
