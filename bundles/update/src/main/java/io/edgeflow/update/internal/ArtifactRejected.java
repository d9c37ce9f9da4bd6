package io.edgeflow.update.internal;

/**
 * Why an artifact or a deployment was refused before anything was changed: a stable lower-case code and a message
 * for a person (never a secret).
 */
final class ArtifactRejected extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;

    ArtifactRejected(String code, String message) {
        super(message);
        this.code = code;
    }

    /** @return the code, for example {@code bad_signature} */
    String code() {
        return code;
    }

    /** @return {@code code: message}, the reason recorded and reported */
    String reason() {
        return code + ": " + getMessage();
    }
}
