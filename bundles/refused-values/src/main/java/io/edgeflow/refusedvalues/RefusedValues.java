package io.edgeflow.refusedvalues;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.edgeflow.api.status.ConfigurationProblems;
import io.edgeflow.api.status.StatusError;

/**
 * A component that refuses a configuration value keeps running on another one (its default, or the last good
 * value) and says so: one line per refused value, naming the property, the value and the value used instead,
 * published through {@link ConfigurationProblems} as an error {@value ConfigurationProblems#INVALID_CONFIGURATION}.
 * <p>
 * Threading: stateless.
 */
public final class RefusedValues {
    private RefusedValues() {
    }

    /**
     * @param value the configured value
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @param property the property's name, for the line
     * @param fallback the value to run with instead of one out of range
     * @param refused where a refusal is noted: {@code <property> = <value> is out of range (<min>..<max>);
     *        running with <fallback>}
     * @return the value if it is in range, else the fallback
     */
    public static long inRange(long value, long min, long max, String property, long fallback, List<String> refused) {
        if (value >= min && value <= max) {
            return value;
        }
        refused.add(property + " = " + value + " is out of range (" + min + ".." + max + "); running with "
                + fallback);
        return fallback;
    }

    /**
     * The refused values as status errors, whose message is {@code <pid>: <line>}. A refusal already reported
     * keeps the time it was first seen; a new one gets {@code now} and is handed to {@code firstSeen} (to be
     * logged once, not at every reconfiguration).
     *
     * @param pid the configuration's PID
     * @param refused the refusals now, one line each
     * @param before the errors reported until now
     * @param now the time of a new refusal
     * @param firstSeen told the message of each new refusal
     * @return the errors now, in the order of {@code refused}; immutable
     */
    public static List<StatusError> asErrors(String pid, List<String> refused, List<StatusError> before, Instant now,
            Consumer<String> firstSeen) {
        List<StatusError> errors = new ArrayList<>();
        for (String line : refused) {
            String message = pid + ": " + line;
            StatusError known = before.stream().filter(e -> e.message().equals(message)).findFirst().orElse(null);
            if (known == null) {
                firstSeen.accept(message);
                known = new StatusError(ConfigurationProblems.INVALID_CONFIGURATION, message, now);
            }
            errors.add(known);
        }
        return List.copyOf(errors);
    }
}
