package io.edgeflow.api.cloud;

/**
 * What a proxy's refusal to tunnel to the cloud (its answer to {@code CONNECT}) means, in the words every
 * bundle that reaches the cloud shows: the endpoint's relay in its log, provisioning and the tunnel in their
 * status errors. Some proxies answer wrong or missing credentials with 401 instead of 407: both get the same
 * hint.
 *
 * @since 1.2
 */
public final class ProxyRefusal {
    private ProxyRefusal() {
    }

    /**
     * @param status the proxy's HTTP status
     * @return e.g. {@code HTTP 407 Proxy Authentication Required (check the proxy user and password).}
     */
    public static String describe(int status) {
        return switch (status) {
            case 407 -> "HTTP 407 Proxy Authentication Required (check the proxy user and password).";
            case 401 -> "HTTP 401 Unauthorized: the proxy wants other credentials (check the proxy user and password).";
            case 403 -> "HTTP 403 Forbidden (the proxy does not allow this destination or this user).";
            default -> "HTTP " + status + ".";
        };
    }
}
