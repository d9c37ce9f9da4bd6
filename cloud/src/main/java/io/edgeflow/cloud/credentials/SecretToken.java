package io.edgeflow.cloud.credentials;

import java.security.SecureRandom;

/**
 * Bearer secrets: device API keys ({@code efk_} + 52 base32 symbols, 260 random bits) and the admin
 * token ({@code efa_} + the same). Lower-case base32 so that a double click selects the whole key.
 */
public final class SecretToken {
    /** Prefix of device API keys. */
    public static final String API_KEY_PREFIX = "efk_";
    /** Prefix of the admin token. */
    public static final String ADMIN_TOKEN_PREFIX = "efa_";
    /** Random symbols after the prefix: 52 x 5 = 260 bits. */
    public static final int SYMBOLS = 52;

    private SecretToken() {
    }

    /**
     * @param random the source of randomness
     * @param prefix {@link #API_KEY_PREFIX} or {@link #ADMIN_TOKEN_PREFIX}
     * @return a fresh secret
     */
    public static String generate(SecureRandom random, String prefix) {
        return prefix + Crockford.randomSymbols(random, SYMBOLS).toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Masks a secret for display: prefix and last four characters, {@code efk_…9f2a}.
     *
     * @param prefix the prefix
     * @param hint the last four characters
     * @return the masked form
     */
    public static String mask(String prefix, String hint) {
        return prefix + "…" + hint;
    }

    /**
     * @param secret a secret
     * @return its last four characters, stored beside the hash for display
     */
    public static String hint(String secret) {
        return secret.length() <= 8 ? "" : secret.substring(secret.length() - 4);
    }
}
