package io.edgeflow.api.vault;

/**
 * What a credential vault holds, as far as it can tell without failing. The wire name of each state
 * is its {@link #wireName()}.
 */
public enum VaultState {
    /**
     * No credentials are stored: the device has not been provisioned, or its credentials were cleared.
     * A registration may be pending ({@link VaultStatus#pendingRequest()}).
     */
    EMPTY("empty"),
    /** Credentials are stored and authenticate. A registration may also be pending. */
    STORED("stored"),
    /**
     * Something is stored but does not authenticate or cannot be understood: it was altered,
     * truncated, written with another key or on another machine, or in a format this agent does not
     * read. The file is left where it is until new credentials are stored.
     */
    CORRUPT("corrupt"),
    /** The vault could not be read at all (an I/O error, such as a permission or disk fault). */
    UNAVAILABLE("unavailable");

    private final String wireName;

    VaultState(String wireName) {
        this.wireName = wireName;
    }

    /**
     * @return the lower-case name used in JSON and logs, for example {@code corrupt}
     */
    public String wireName() {
        return wireName;
    }
}
