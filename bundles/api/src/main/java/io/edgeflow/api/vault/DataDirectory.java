package io.edgeflow.api.vault;

/**
 * The agent's data directory, where the credential vault and the agent's other state live. The configuration
 * ({@code data_dir} of {@code io.edgeflow.agent}, environment variable {@code EDGEFLOW_DATA_DIR}) or the launcher
 * may choose another one; this is where it is when nothing does.
 */
public final class DataDirectory {
    /** The default data directory: {@value}. A compile-time constant, so annotation defaults can use it. */
    public static final String DEFAULT_PATH = "/var/lib/edgeflow";

    private DataDirectory() {
    }
}
