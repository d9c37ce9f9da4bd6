package io.edgeflow.http.json;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import javax.servlet.http.HttpServletRequest;

import io.edgeflow.api.tunnel.RelayCredential;

/**
 * Who may call an endpoint that changes something. Without an API token: only callers on this machine
 * (a loopback address), since the local API may be exposed to the LAN. With a token: every caller,
 * loopback included, must send {@code Authorization: Bearer <token>}. Either way, a request that the tunnel relayed
 * from the cloud is let through when it carries the tunnel's own credential ({@code Authorization: EdgeFlow-Relay
 * <secret>}, checked by the tunnel's {@link RelayCredential} service): the cloud never holds the API token, and a
 * caller on the LAN, who cannot know the tunnel's secret, cannot pass for it.
 * <p>
 * The token is kept as its SHA-256 only, and compared in constant time; it is never logged.
 */
public final class CallerCheck {
    private final byte[] tokenHash;

    /** @param token the configured API token; empty or null for loopback-only access */
    public CallerCheck(String token) {
        this.tokenHash = token == null || token.isBlank() ? null : sha256(token.strip());
    }

    /** @return true if a token is configured */
    public boolean requiresToken() {
        return tokenHash != null;
    }

    /**
     * @param request the request
     * @param relay the tunnel's credential service, or null while the tunnel does not run
     * @return who the caller is
     * @throws ApiError 401 {@code unauthorized} for a missing or wrong token or relay credential (with
     *         {@code WWW-Authenticate} set by the caller of this method), 403 {@code forbidden} for a caller that is
     *         not on this machine
     */
    public Caller check(HttpServletRequest request, RelayCredential relay) throws ApiError {
        String header = request.getHeader("Authorization");
        int scheme = RelayCredential.SCHEME.length();
        if (header != null && header.length() > scheme && header.charAt(scheme) == ' '
                && header.regionMatches(true, 0, RelayCredential.SCHEME, 0, scheme)) {
            if (relays(relay, header.substring(scheme + 1).strip())) {
                return Caller.CLOUD;
            }
            throw new ApiError(401, "unauthorized", "The tunnel's relay credential is not valid.");
        }
        if (tokenHash != null) {
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new ApiError(401, "unauthorized", "This endpoint needs 'Authorization: Bearer <API token>' "
                        + "(EDGEFLOW_API_TOKEN).");
            }
            byte[] given = sha256(header.substring(7).strip());
            if (!MessageDigest.isEqual(given, tokenHash)) {
                throw new ApiError(401, "unauthorized", "The API token is not valid.");
            }
            return Caller.TOKEN;
        }
        if (!isLoopback(request.getRemoteAddr())) {
            throw new ApiError(403, "forbidden", "This endpoint answers only callers on the device itself "
                    + "(loopback); configure an API token (EDGEFLOW_API_TOKEN) to call it from elsewhere.");
        }
        return Caller.LOOPBACK;
    }

    private static boolean relays(RelayCredential relay, String presented) {
        if (relay == null || presented.isEmpty()) {
            return false;
        }
        try {
            return relay.matches(presented);
        } catch (RuntimeException e) {
            return false; // the tunnel bundle is stopping: its credential is gone with it
        }
    }

    /**
     * @param address a remote address as the servlet container gives it (an IP literal)
     * @return true for a loopback address; false for anything else, a host name included (never looked up)
     */
    public static boolean isLoopback(String address) {
        if (address == null || address.isEmpty()) {
            return false;
        }
        String literal = address.startsWith("[") && address.endsWith("]")
                ? address.substring(1, address.length() - 1) : address;
        // only IP literals: getByName must never turn into a DNS lookup here
        if (!literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':' || c == '%')) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] sha256(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
