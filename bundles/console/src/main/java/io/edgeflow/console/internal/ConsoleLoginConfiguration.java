package io.edgeflow.console.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Metatype of the Web Console login ({@code io.edgeflow.console}). Without a password there is no
 * configuration, and no console.
 */
@ObjectClassDefinition(id = ConsoleLoginConfiguration.PID, name = "EdgeFlow Web Console login",
        description = "Who may open the Web Console at /system/console on the local API's address. The console "
                + "serves only while a password is set; there is no default password.")
@interface ConsoleLoginConfiguration {
    /** The PID. */
    String PID = "io.edgeflow.console";

    /** The password's property: private (leading '.'), so Declarative Services never copies it onto a service. */
    String PASSWORD = ".password";

    @AttributeDefinition(name = "User name",
            description = "The user name the browser asks for. Environment variable EDGEFLOW_CONSOLE_USER.")
    String user() default "admin";

    // A secret: never logged, kept in memory only as its SHA-256, compared in constant time, and private: the
    // method name's leading '_' maps to '.', so the property is .password (DS 1.4, 112.8.2.1).
    @AttributeDefinition(name = "Password",
            description = "The console's password; empty: the console does not serve. Environment variable "
                    + "EDGEFLOW_CONSOLE_PASSWORD. Kept encrypted at rest.",
            type = AttributeType.PASSWORD)
    String _password() default "";
}
