package io.edgeflow.cloud.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * What a command sees of the person who typed it: the environment, standard output (answers, and the one
 * secret meant for it: a new code) and standard error (details, errors). Tables and JSON as the CLI
 * prints them.
 * <p>
 * Threading: one command line runs on one thread; only {@code serve}'s shutdown hook prints from another,
 * through the print streams, which are thread-safe.
 */
final class Terminal {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    final Map<String, String> env;
    final PrintStream out;
    final PrintStream err;

    Terminal(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /** Prints a server's JSON answer as it is. */
    void json(JsonNode answer) throws JsonProcessingException {
        out.println(JSON.writeValueAsString(answer));
    }

    /** @return a field for a table: its text, or {@code -} when absent */
    static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? "-" : node.asText();
    }

    /** Prints rows in aligned columns; the first row is the heading. */
    void table(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row[i] : String.format("%-" + width[i] + "s  ", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        if (rows.size() == 1) {
            out.println("(none)");
        }
    }
}
