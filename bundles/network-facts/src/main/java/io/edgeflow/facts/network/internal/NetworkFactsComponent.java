package io.edgeflow.facts.network.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import io.edgeflow.api.facts.NetworkFacts;
import io.edgeflow.api.facts.NetworkFactsService;
import io.edgeflow.api.status.ConfigurationProblems;
import io.edgeflow.api.status.StatusError;

import io.edgeflow.facts.files.RootFiles;
import io.edgeflow.refusedvalues.RefusedValues;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provides {@link NetworkFactsService}: the device's network connection, read again when the last
 * reading is older than the configured cache time.
 */
@Component(service = {NetworkFactsService.class, ConfigurationProblems.class},
        configurationPid = NetworkFactsComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = NetworkFactsConfiguration.class)
public final class NetworkFactsComponent implements NetworkFactsService, ConfigurationProblems {
    static final String PID = "io.edgeflow.facts.network";
    static final int MAX_CACHE_SECONDS = 3600;
    /** The metatype's default cache time, used in place of one out of range. */
    static final int DEFAULT_CACHE_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(NetworkFactsComponent.class);

    private final NetworkCollector collector;
    private final long cacheNanos;
    private final LongSupplier clock;
    private final List<StatusError> problems;
    private final Object lock = new Object();
    private NetworkFacts cached; // guarded by lock
    private long cachedAt; // guarded by lock
    private String lastWarnings = ""; // guarded by lock

    /**
     * @param config the configuration
     * @throws IllegalArgumentException naming the property when a value is invalid
     */
    @Activate
    public NetworkFactsComponent(NetworkFactsConfiguration config) {
        this(collector(sysroot(config.sysroot())), config.cache__seconds(), System::nanoTime);
    }

    /**
     * @param cacheSeconds the configured cache time; out of range, the default applies and the refusal is
     *        published ({@link #problems()})
     */
    NetworkFactsComponent(NetworkCollector collector, int cacheSeconds, LongSupplier clock) {
        List<String> refused = new ArrayList<>();
        long seconds = RefusedValues.inRange(cacheSeconds, 0, MAX_CACHE_SECONDS, "cache_seconds", DEFAULT_CACHE_SECONDS,
                refused);
        this.collector = collector;
        this.cacheNanos = seconds * 1_000_000_000L;
        this.clock = clock;
        this.problems = RefusedValues.asErrors(PID, refused, List.of(), Instant.now(),
                m -> LOG.warn("Configuration {}", m));
    }

    @Override
    public List<StatusError> problems() {
        return problems;
    }

    @Override
    public NetworkFacts networkFacts() {
        synchronized (lock) {
            long now = clock.getAsLong();
            if (cached == null || now - cachedAt >= cacheNanos) {
                cached = collector.collect();
                cachedAt = now;
                String warnings = String.join("\n", cached.warnings());
                if (!warnings.equals(lastWarnings)) {
                    cached.warnings().forEach(w -> LOG.warn("Network facts: {}", w)); // once, not on every read
                    lastWarnings = warnings;
                }
            }
            return cached;
        }
    }

    static NetworkCollector collector(Path root) {
        LiveAddresses live = root.equals(Path.of("/")) ? LiveAddresses.JAVA_NET : null;
        return new NetworkCollector(root, live, root.equals(Path.of("/")) ? NetworkFactsComponent::jvmHostname
                : () -> null);
    }

    /**
     * The JVM's host name; asked only on the device itself and only when the kernel's files name none
     * (it may wait for name resolution, which the files never do).
     */
    private static String jvmHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The checked {@code sysroot}; see {@link RootFiles#sysroot}. */
    static Path sysroot(String value) {
        return RootFiles.sysroot(value);
    }

    static int cacheSeconds(int value) {
        if (value < 0 || value > MAX_CACHE_SECONDS) {
            throw new IllegalArgumentException("cache_seconds must be from 0 to " + MAX_CACHE_SECONDS + ", got "
                    + value);
        }
        return value;
    }
}
