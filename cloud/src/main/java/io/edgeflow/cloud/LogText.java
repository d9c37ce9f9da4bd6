package io.edgeflow.cloud;

/**
 * Text that came from outside (a device's frame, its close reason, a request's path or header) as it
 * may appear in a log line: control characters escaped, so no caller can end the line and write a
 * forged one, hide text, or reorder what a person reads. Every such string goes through {@link #of}
 * before it reaches the log.
 */
public final class LogText {
    /** Longer text is cut: one device must not fill the disk through one log line. */
    static final int MAX_CHARS = 500;

    private LogText() {
    }

    /**
     * @param text text from a device or a client, or null
     * @return the text with CR, LF, tab, every other C0 and C1 control, DEL, the Unicode line and paragraph
     *         separators and the bidirectional controls written as a backslash, {@code u} and four hex digits
     *         (LF as backslash-u000a),
     *         backslashes doubled (so an escape cannot be forged either), cut after {@value #MAX_CHARS}
     *         characters; {@code "null"} for null
     */
    public static String of(Object text) {
        if (text == null) {
            return "null";
        }
        String s = text.toString();
        int end = Math.min(s.length(), MAX_CHARS);
        StringBuilder out = null;
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            String escape = escape(c);
            if (escape != null && out == null) {
                out = new StringBuilder(end + 16).append(s, 0, i);
            }
            if (out != null) {
                if (escape != null) {
                    out.append(escape);
                } else {
                    out.append(c);
                }
            }
        }
        String result = out == null ? s.substring(0, end) : out.toString();
        return end < s.length() ? result + "...(" + (s.length() - end) + " more characters)" : result;
    }

    private static String escape(char c) {
        if (c == '\\') {
            return "\\\\";
        }
        boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) // C0, DEL, C1 (0x85 is a line break to some)
                || c == '\u2028' || c == '\u2029' // line and paragraph separators
                || c == '\u061c' || c == '\u200e' || c == '\u200f' // bidi marks
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') // bidi embeddings, isolates
                || c == '\ufeff';
        return control ? String.format("\\u%04x", (int) c) : null;
    }
}
