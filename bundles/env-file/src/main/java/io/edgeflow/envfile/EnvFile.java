package io.edgeflow.envfile;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An env file such as {@code /etc/edgeflow/.env}: {@code KEY=VALUE} lines, with comments, blank
 * lines, an optional {@code export } prefix and single- or double-quoted values. A line that cannot
 * be read is skipped with a warning that names the file and the line number but never the value,
 * which may be a secret.
 */
public final class EnvFile {
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Map<String, String> values;
    private final List<String> warnings;

    private EnvFile(Map<String, String> values, List<String> warnings) {
        this.values = Collections.unmodifiableMap(values);
        this.warnings = Collections.unmodifiableList(warnings);
    }

    /** @return the variables read, in file order; a later line overrides an earlier one */
    public Map<String, String> values() {
        return values;
    }

    /** @return one readable warning per line that was skipped */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * Reads an env file. A missing file is normal and yields no values and no warnings.
     *
     * @param file the file
     * @return what it holds
     */
    public static EnvFile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new EnvFile(new LinkedHashMap<>(), new ArrayList<>());
        } catch (MalformedInputException e) {
            return new EnvFile(new LinkedHashMap<>(), List.of(file + ": not read, it is not UTF-8 text"));
        } catch (IOException e) {
            return new EnvFile(new LinkedHashMap<>(),
                    List.of(file + ": not read (" + e.getClass().getSimpleName() + ")"));
        }
        return parse(file.toString(), lines);
    }

    /**
     * Parses the lines of an env file.
     *
     * @param name the file's name, used in warnings
     * @param lines its lines
     * @return what they hold
     */
    public static EnvFile parse(String name, List<String> lines) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            try {
                Map.Entry<String, String> entry = parseLine(trimmed);
                values.put(entry.getKey(), entry.getValue());
            } catch (IllegalArgumentException e) {
                warnings.add(name + " line " + (i + 1) + ": skipped, " + e.getMessage());
            }
        }
        return new EnvFile(values, warnings);
    }

    /** Parses one non-blank, non-comment line; the exception message never holds the value. */
    private static Map.Entry<String, String> parseLine(String line) {
        String rest = line;
        if (rest.startsWith("export ") || rest.startsWith("export\t")) {
            rest = rest.substring("export".length()).strip();
        }
        int eq = rest.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("expected KEY=VALUE");
        }
        String key = rest.substring(0, eq).strip();
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("the name before '=' is not a valid variable name");
        }
        String raw = rest.substring(eq + 1).strip();
        return Map.entry(key, value(raw));
    }

    private static String value(String raw) {
        if (raw.isEmpty()) {
            return "";
        }
        char first = raw.charAt(0);
        if (first == '"' || first == '\'') {
            return quoted(raw, first);
        }
        // Unquoted: a '#' after white space starts a comment.
        for (int i = 1; i < raw.length(); i++) {
            if (raw.charAt(i) == '#' && Character.isWhitespace(raw.charAt(i - 1))) {
                return raw.substring(0, i).strip();
            }
        }
        return raw;
    }

    private static String quoted(String raw, char quote) {
        StringBuilder out = new StringBuilder();
        int i = 1;
        boolean closed = false;
        for (; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == quote) {
                closed = true;
                i++;
                break;
            }
            if (quote == '"' && c == '\\' && i + 1 < raw.length()) {
                char next = raw.charAt(++i);
                switch (next) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case '"', '\\', '$', '`' -> out.append(next);
                    default -> out.append('\\').append(next);
                }
                continue;
            }
            out.append(c);
        }
        if (!closed) {
            throw new IllegalArgumentException("the quoted value has no closing " + quote);
        }
        String after = raw.substring(i).strip();
        if (!after.isEmpty() && !after.startsWith("#")) {
            throw new IllegalArgumentException("unexpected text after the closing quote");
        }
        return out.toString();
    }
}
