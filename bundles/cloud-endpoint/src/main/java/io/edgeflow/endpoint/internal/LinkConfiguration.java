package io.edgeflow.endpoint.internal;

/**
 * The link's part of the SaaS configuration ({@code io.edgeflow.saas}): a typed view of the properties this
 * bundle reads. The metatype of the PID (names, descriptions, ranges, what the Web Console and Kura show) is
 * provisioning's, declared once there; the defaults here are the same.
 */
public @interface LinkConfiguration {
    /** The PID, shared with provisioning. */
    String PID = "io.edgeflow.saas";

    boolean enabled() default false;

    String url() default "saas.edgx.cloud:443";

    String ca__file() default "";

    String proxy() default "";

    /** Private (a leading '.'): never copied onto a service. */
    String _proxy__password() default "";

    int connect__timeout__seconds() default 10;
}
