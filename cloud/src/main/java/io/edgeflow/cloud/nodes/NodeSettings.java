package io.edgeflow.cloud.nodes;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * What makes a server one node of several: its id, the address the other nodes reach it at, and the secret
 * every node shares. The secret is kept as its SHA-256 for the comparison, and as the header value the node
 * sends; neither is ever logged or printed ({@link #toString} leaves it out).
 */
public final class NodeSettings {
    /** The header a node's call carries the shared secret in. */
    public static final String SECRET_HEADER = "X-EdgeFlow-Node-Secret";
    /** Shortest shared secret accepted, in characters. */
    public static final int MIN_SECRET_CHARS = 32;

    private final String nodeId;
    private final URI url;
    private final String secret;
    private final byte[] secretHash;

    /**
     * @param nodeId the node's id: letters, digits, '.', '_' and '-', up to 64
     * @param url where the other nodes reach this one: {@code https://host:port}
     * @param secret the secret every node of the cloud shares (at least {@value #MIN_SECRET_CHARS} characters)
     * @throws IllegalArgumentException naming the option that is wrong
     */
    public NodeSettings(String nodeId, URI url, String secret) {
        if (nodeId == null || !nodeId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("--node-id must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        if (url == null || !"https".equals(url.getScheme()) || url.getHost() == null || url.getRawQuery() != null
                || (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/"))) {
            throw new IllegalArgumentException("--node-url must be https://host:port (where the other nodes reach "
                    + "this one), not " + url);
        }
        if (secret == null || secret.strip().length() < MIN_SECRET_CHARS) {
            throw new IllegalArgumentException("the node secret (--node-secret-file or EDGEFLOW_CLOUD_NODE_SECRET) "
                    + "must be at least " + MIN_SECRET_CHARS + " characters");
        }
        this.nodeId = nodeId;
        String u = url.toString();
        this.url = URI.create(u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
        this.secret = secret.strip();
        this.secretHash = sha256(this.secret);
    }

    /** @return a random node id, {@code node-} and 8 hex digits: the default, one per start */
    public static String randomId() {
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        return "node-" + HexFormat.of().formatHex(b);
    }

    /** @return the node's id */
    public String nodeId() {
        return nodeId;
    }

    /** @return where the other nodes reach this one, without a trailing slash */
    public URI url() {
        return url;
    }

    /** @return the header value this node's calls carry; never log it */
    String secretHeaderValue() {
        return secret;
    }

    /**
     * Compares in constant time (the hashes of both, so not even the length leaks).
     *
     * @param presented the {@value #SECRET_HEADER} header of a call, or null
     * @return true if it is the shared secret
     */
    public boolean accepts(String presented) {
        return presented != null && MessageDigest.isEqual(secretHash, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return "node " + nodeId + " at " + url;
    }
}
