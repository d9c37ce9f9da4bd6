package io.edgeflow.inventory.internal;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.osgi.service.metatype.AttributeDefinition;

/**
 * Which configuration properties are secrets, whose values the inventory never returns (it says whether one is
 * set instead): a property the metatype declares as a password, a private property (its name begins with
 * {@code .}, which is how EdgeFlow marks a secret, see docs/configuration.md), and any property whose name
 * says key, password, secret, token or code. The rule errs on the side of hiding: a public key list or a key
 * file's path is hidden too.
 */
final class SecretProperties {
    /** The password in a URL's user information ({@code http://user:password@host}). */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://[^/@:\\s]*):[^/@\\s]*@");
    private static final List<String> SECRET_WORDS = List.of("key", "password", "passwd", "secret", "token", "code",
            "credential");

    private SecretProperties() {
    }

    /**
     * @param property the property name
     * @param ad its attribute definition, or null if the metatype does not know it
     * @return true if its value must never be shown
     */
    static boolean isSecret(String property, AttributeDefinition ad) {
        return ad != null && ad.getType() == AttributeDefinition.PASSWORD || isSecretName(property);
    }

    /**
     * @param property the property name
     * @return true if the name alone marks the property as a secret
     */
    static boolean isSecretName(String property) {
        if (property == null || property.startsWith(".")) {
            return true;
        }
        String name = property.toLowerCase(Locale.ROOT);
        return SECRET_WORDS.stream().anyMatch(name::contains);
    }

    /**
     * @param value a value that is shown
     * @return the value with the password of any URL in it ({@code http://user:password@host}) replaced by
     *         {@code ****}: a proxy address may carry one until the agent moves it to its own property
     */
    static String maskUrlPasswords(String value) {
        return value == null ? null : URL_PASSWORD.matcher(value).replaceAll("$1:****@");
    }
}
