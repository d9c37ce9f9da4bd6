package io.edgeflow.cloud.cli;

import java.time.Duration;

import io.edgeflow.cloud.Durations;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The CLI's option values that picocli does not know: durations as people write them, whole numbers. */
final class Converters {
    private Converters() {
    }

    /** {@code 90s}, {@code 10m}, {@code 24h}, {@code 30d}, {@code 1h30m}, or plain seconds ({@link Durations}). */
    static final class DurationValue implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A whole number; spaces around it are allowed. */
    static final class WholeNumber implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
        }
    }
}
