package io.edgeflow.protocol;

import java.util.Optional;

/**
 * How a one-time provisioning code is written, {@code PROV-A1B2-C3D4}, and read (docs/protocol.md): eight
 * symbols of Crockford's base32 alphabet, read case-insensitively, with or without the dashes and the
 * {@code PROV} prefix, Crockford's look-alikes I/L and O counting as 1 and 0, white space around it ignored.
 * The agent and the cloud read a code with this one method, so they never disagree on what a code is.
 */
public final class CodeFormat {
    /** Crockford's base32 symbols, in value order: digits and upper-case letters without I, L, O and U. */
    public static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    /** Symbols in a code. */
    public static final int SYMBOLS = 8;
    /** What a written code begins with. */
    public static final String PREFIX = "PROV";

    private CodeFormat() {
    }

    /**
     * Reads a code as a person or device wrote it.
     *
     * @param text for example {@code PROV-A1B2-C3D4}, {@code prov-a1b2-c3d4}, {@code PROVA1B2C3D4} or
     *        {@code A1B2C3D4}; may be null
     * @return its eight canonical symbols ({@code A1B2C3D4}), or empty if the text cannot be a code
     */
    public static Optional<String> canonical(String text) {
        if (text == null || text.length() > 40) {
            return Optional.empty();
        }
        String t = text.strip();
        boolean prefixed = t.length() > 5 && t.regionMatches(true, 0, PREFIX + "-", 0, 5);
        if (prefixed) {
            t = t.substring(5); // "PROV-" stated: exactly eight symbols must follow
        }
        StringBuilder compact = new StringBuilder(16);
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c != '-' && c != ' ') {
                compact.append(Character.toUpperCase(c));
            }
        }
        String s = compact.toString();
        if (!prefixed && s.length() == PREFIX.length() + SYMBOLS && s.startsWith(PREFIX)) {
            s = s.substring(PREFIX.length());
        }
        if (s.length() != SYMBOLS) {
            return Optional.empty();
        }
        char[] canonical = new char[SYMBOLS];
        for (int i = 0; i < SYMBOLS; i++) {
            char c = symbol(s.charAt(i));
            if (c == 0) {
                return Optional.empty();
            }
            canonical[i] = c;
        }
        return Optional.of(new String(canonical));
    }

    /**
     * @param c an upper-case character
     * @return the symbol it stands for, or 0 if it stands for none
     */
    private static char symbol(char c) {
        switch (c) {
            case 'O':
                return '0';
            case 'I':
            case 'L':
                return '1';
            default:
                return c < 128 && ALPHABET.indexOf(c) >= 0 ? c : 0;
        }
    }

    /**
     * @param symbols the eight canonical symbols
     * @return the code as it is written, {@code PROV-A1B2-C3D4}; a secret
     */
    public static String write(String symbols) {
        return PREFIX + "-" + symbols.substring(0, 4) + "-" + symbols.substring(4);
    }

    /**
     * @param hint the last four symbols of a code
     * @return the code masked for lists, logs and messages, {@code PROV-****-C3D4}
     */
    public static String mask(String hint) {
        return PREFIX + "-****-" + hint;
    }
}
