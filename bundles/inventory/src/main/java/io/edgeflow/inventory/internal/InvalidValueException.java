package io.edgeflow.inventory.internal;

/**
 * A configuration value the metatype does not accept, or a property it does not know. The message names the
 * property and never holds the value of a secret.
 */
final class InvalidValueException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final String property;

    InvalidValueException(String code, String property, String message) {
        super(message, null, false, false);
        this.code = code;
        this.property = property;
    }

    /** @return the error code: {@code invalid_configuration} or {@code unknown_property} */
    String code() {
        return code;
    }

    /** @return the property at fault */
    String property() {
        return property;
    }
}
