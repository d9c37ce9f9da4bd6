package io.edgeflow.cloud.store;

/** The database failed: a defect or a broken disk, never the caller's mistake. */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the JDBC failure
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
