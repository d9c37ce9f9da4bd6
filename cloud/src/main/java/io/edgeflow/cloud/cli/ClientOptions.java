package io.edgeflow.cloud.cli;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.edgeflow.cloud.admin.AdminTokens;
import io.edgeflow.cloud.server.ServerConfig;
import io.edgeflow.cloud.tls.LocalCertificateAuthority;
import picocli.CommandLine.Option;

/**
 * The connection options every admin command takes (a picocli mixin): where the server is, the admin
 * token, the CA to trust, and {@code --json}.
 */
final class ClientOptions {
    @Option(names = "--url", paramLabel = "URL", order = 100,
            description = "the server (default $EDGEFLOW_CLOUD_URL, else https://127.0.0.1:8443)")
    String url;

    @Option(names = "--data-dir", paramLabel = "DIR", order = 101,
            description = {"the server's data directory, where the default token and CA files are",
                "(default $EDGEFLOW_CLOUD_DATA_DIR, else ./" + Cli.DEFAULT_DATA_DIR + ")"})
    String dataDir;

    @Option(names = "--token-file", paramLabel = "FILE", order = 102,
            description = "file holding the admin token; without it $EDGEFLOW_ADMIN_TOKEN, else <data-dir>/admin-token")
    Path tokenFile;

    @Option(names = "--ca-file", paramLabel = "FILE", order = 103,
            description = "CA certificate to trust (default <data-dir>/ca.pem if present, else the JDK's trusted CAs)")
    Path caFile;

    @Option(names = "--json", order = 104, description = "print the server's JSON answer as it is")
    boolean json;

    /** @return the data directory: {@code --data-dir}, else {@code $EDGEFLOW_CLOUD_DATA_DIR}, else the default */
    static Path dataDir(String option, Map<String, String> env) {
        return Path.of(option != null ? option : env.getOrDefault("EDGEFLOW_CLOUD_DATA_DIR", Cli.DEFAULT_DATA_DIR));
    }

    /**
     * @return a client for the server, with the token from {@code --token-file}, else
     *         {@code $EDGEFLOW_ADMIN_TOKEN}, else the data directory
     */
    AdminClient client(Map<String, String> env) throws Exception {
        Path dir = dataDir(dataDir, env);
        String token;
        if (tokenFile != null) {
            token = AdminClient.readToken(tokenFile);
        } else if (env.get("EDGEFLOW_ADMIN_TOKEN") != null && !env.get("EDGEFLOW_ADMIN_TOKEN").isBlank()) {
            token = env.get("EDGEFLOW_ADMIN_TOKEN").trim();
        } else {
            token = AdminClient.readToken(dir.resolve(AdminTokens.FILE_NAME));
        }
        Path ca = null;
        if (caFile != null) {
            ca = caFile;
            if (!Files.isRegularFile(ca)) {
                throw new IOException("--ca-file " + ca + " does not exist");
            }
        } else if (Files.isRegularFile(dir.resolve(LocalCertificateAuthority.CA_CERT))) {
            ca = dir.resolve(LocalCertificateAuthority.CA_CERT);
        }
        String base = url != null ? url
                : env.getOrDefault("EDGEFLOW_CLOUD_URL", "https://127.0.0.1:" + ServerConfig.DEFAULT_PORT);
        return new AdminClient(base, ca, token);
    }

    /** Refuses positional arguments on a command that takes none. */
    static void noPositional(List<String> arguments) throws UsageException {
        if (arguments != null && !arguments.isEmpty()) {
            throw new UsageException("unexpected argument '" + arguments.get(0) + "'");
        }
    }

    /**
     * @param command the command, for the message ({@code devices revoke})
     * @return the one ID a command takes, checked
     */
    static String oneId(List<String> arguments, String command) throws UsageException {
        if (arguments == null || arguments.size() != 1) {
            throw new UsageException(command + " takes exactly one ID");
        }
        return id(arguments.get(0));
    }

    /** @return the ID, if it is one (letters, digits and _) */
    static String id(String id) throws UsageException {
        if (!id.matches("[A-Za-z0-9_]{1,64}")) {
            throw new UsageException("'" + id + "' is not an ID (letters, digits and _ only)");
        }
        return id;
    }

    /** @return a query string of the pairs whose value is not null, {@code ?a=1&b=2}, or empty */
    static String query(String... pairs) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                q.append(q.length() == 0 ? '?' : '&').append(pairs[i]).append('=')
                        .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
            }
        }
        return q.toString();
    }
}
