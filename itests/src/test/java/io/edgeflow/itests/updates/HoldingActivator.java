package io.edgeflow.itests.updates;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Test only: packed by {@link io.edgeflow.itests.UpdateApplyCrashIT} into a build of the hardware facts bundle (never
 * loaded from the test probe). While the file named by the environment variable {@code ITEST_HOLD_FILE} exists, its
 * start does not return: the update bundle's {@code Bundle.update} (which starts the new revision of an active
 * bundle) then stays inside the deployment's {@code applying} step, which leaves a test the time to kill the agent
 * there. It prints one line when it begins to hold; it gives up after two minutes so that nothing hangs for ever.
 */
public class HoldingActivator implements BundleActivator {
    /** Printed to standard output when the start begins to hold. */
    public static final String HOLDING = "itest: the new revision holds its start";

    @Override
    public void start(BundleContext context) throws Exception {
        String name = System.getenv("ITEST_HOLD_FILE");
        if (name == null) {
            return;
        }
        Path hold = Path.of(name);
        Instant giveUp = Instant.now().plus(Duration.ofMinutes(2));
        if (Files.exists(hold)) {
            System.out.println(HOLDING);
            System.out.flush();
        }
        while (Files.exists(hold) && Instant.now().isBefore(giveUp)) {
            Thread.sleep(100);
        }
    }

    @Override
    public void stop(BundleContext context) {
        // nothing held
    }
}
