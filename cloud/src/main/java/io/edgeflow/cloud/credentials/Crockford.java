package io.edgeflow.cloud.credentials;

import java.security.SecureRandom;

/**
 * Crockford's base32 alphabet: digits and upper-case letters without I, L, O and U, so a code read
 * aloud or typed from a label cannot be mistaken. Decoding accepts lower case and the look-alikes
 * (I and L for 1, O for 0), as Crockford specifies.
 */
public final class Crockford {
    /** The 32 symbols, in value order. */
    public static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private Crockford() {
    }

    /**
     * Draws random symbols, each carrying 5 bits.
     *
     * @param random the source of randomness
     * @param count how many symbols
     * @return {@code count} upper-case symbols
     */
    public static String randomSymbols(SecureRandom random, int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        char[] out = new char[count];
        for (int i = 0; i < count; i++) {
            // 256 is a multiple of 32: taking the low five bits of a uniform byte stays uniform.
            out[i] = ALPHABET.charAt(bytes[i] & 0x1f);
        }
        java.util.Arrays.fill(bytes, (byte) 0);
        return new String(out);
    }

    /**
     * Canonicalises one symbol.
     *
     * @param c a character typed by a person
     * @return the upper-case symbol it stands for, or 0 if it is not a base32 symbol
     */
    public static char canonical(char c) {
        char u = Character.toUpperCase(c);
        switch (u) {
            case 'O':
                return '0';
            case 'I':
            case 'L':
                return '1';
            default:
                return u < 128 && ALPHABET.indexOf(u) >= 0 ? u : 0;
        }
    }
}
