package io.edgeflow.cloud.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.edgeflow.cloud.nodes.NodeSettings;
import picocli.CommandLine.Option;

/**
 * The options of {@code serve} that make it one node of several on one database: without {@code --node-url} the
 * server is a cloud of one, as it always was.
 */
final class NodeOptions {
    /** The environment variable the node secret may come from instead of {@code --node-secret-file}. */
    static final String SECRET_ENV = "EDGEFLOW_CLOUD_NODE_SECRET";

    @Option(names = "--node-url", paramLabel = "URL", description = {"run as one node of several on one database: "
        + "the https://host:port", "the other nodes reach this one at (needs --cert/--key, the same on every node, "
        + "and the node secret)"})
    String url;
    @Option(names = "--node-id", paramLabel = "ID",
            description = "this node's id (default: a random one per start, printed)")
    String id;
    @Option(names = "--node-secret-file", paramLabel = "FILE", description = {"file holding the secret every node "
        + "shares (at least " + NodeSettings.MIN_SECRET_CHARS + " characters;",
        "default $" + SECRET_ENV + ")"})
    Path secretFile;

    /**
     * @param env the environment
     * @param certificate the --cert given, or null
     * @param shared true if the store is PostgreSQL (SQLite is one process's file)
     * @return this node's settings, or null for a cloud of one node
     * @throws IllegalArgumentException naming the option that is wrong or missing
     * @throws IOException if the secret file cannot be read
     */
    NodeSettings settings(Map<String, String> env, Path certificate, boolean shared) throws IOException {
        if (url == null) {
            if (id != null || secretFile != null) {
                throw new IllegalArgumentException("--node-id and --node-secret-file go with --node-url");
            }
            return null;
        }
        if (!shared) {
            throw new IllegalArgumentException("--node-url needs --database postgresql://... (or "
                    + ServeCommand.DATABASE_URL_ENV + "): the nodes share one PostgreSQL store; SQLite is one "
                    + "node's file");
        }
        if (certificate == null) {
            throw new IllegalArgumentException("--node-url needs --cert and --key: every node serves the same "
                    + "certificate (the cloud's shared name), and the nodes trust each other by it");
        }
        String secret;
        if (secretFile != null) {
            try {
                secret = Files.readString(secretFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IOException("cannot read --node-secret-file " + secretFile + ": " + e, e);
            }
        } else {
            secret = env.get(SECRET_ENV);
            if (secret == null) {
                throw new IllegalArgumentException("--node-url needs the node secret: --node-secret-file FILE or "
                        + SECRET_ENV);
            }
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--node-url must be https://host:port, not " + url);
        }
        return new NodeSettings(id != null ? id : NodeSettings.randomId(), uri, secret);
    }
}
