package io.edgeflow.inventory.internal;

/**
 * What the inventory's servlets read from the local API's configuration ({@code io.edgeflow.localapi}, whose
 * metatype the local API bundle designates): the API token of the caller rule. Sharing the PID also gives the
 * servlets the {@code osgi.http.whiteboard.target} the configuration bundle puts there when the agent has an HTTP
 * server of its own (on Kura), so they serve where the rest of the local API does.
 */
@interface InventoryApiConfiguration {
    /** The local API's PID. */
    String PID = "io.edgeflow.localapi";

    /**
     * The API token (property {@code .api_token}: private, so Declarative Services never copies it onto a service;
     * the method name's leading '_' maps to '.'). A secret: never logged.
     *
     * @return the token, empty for loopback-only access
     */
    String _api__token() default "";
}
