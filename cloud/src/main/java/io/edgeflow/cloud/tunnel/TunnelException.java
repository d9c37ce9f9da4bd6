package io.edgeflow.cloud.tunnel;

/**
 * A request could not go through a tunnel, or the device could not carry it out: the HTTP status the
 * cloud answers its caller with, a stable code and a message for a person.
 */
public final class TunnelException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    /**
     * @param status HTTP status for the caller
     * @param code stable lower-case code
     * @param message explanation
     */
    public TunnelException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    /** @return HTTP status for the caller */
    public int status() {
        return status;
    }

    /** @return stable error code */
    public String code() {
        return code;
    }
}
