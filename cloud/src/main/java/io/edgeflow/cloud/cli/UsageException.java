package io.edgeflow.cloud.cli;

/** A wrong command line found after parsing (a missing ID, a bad METHOD); the message is for the person who typed it. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
