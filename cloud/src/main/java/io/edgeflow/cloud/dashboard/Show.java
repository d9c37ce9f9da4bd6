package io.edgeflow.cloud.dashboard;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** How the dashboard writes values for people: times in UTC to the second, facts as name and value. */
final class Show {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Show() {
    }

    /** @return the time, or "-" */
    static String time(Long epochMillis) {
        return epochMillis == null ? "-" : TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    /** @return the time, or "-" */
    static String time(Instant instant) {
        return instant == null ? "-" : TIME.format(instant);
    }

    /** @return the text, or "" for null */
    static String text(String s) {
        return s == null ? "" : s;
    }

    /** @return the facts a device reported (stored JSON text), or an empty object if there are none or they are unreadable */
    static JsonNode facts(String json) {
        if (json == null) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode();
        }
    }

    /** @return one fact as text, or "" */
    static String fact(JsonNode facts, String name) {
        JsonNode v = facts.get(name);
        return v == null || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString();
    }

    /** @return every fact of an object as a name and its value, nested names joined with dots */
    static List<PageModels.Fact> flatten(JsonNode node) {
        List<PageModels.Fact> out = new ArrayList<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, List<PageModels.Fact> out) {
        if (node == null || out.size() >= 200) {
            return;
        }
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out);
            }
        } else if (node.isArray() && node.size() > 0 && node.get(0).isContainerNode()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(prefix + "[" + i + "]", node.get(i), out);
            }
        } else {
            out.add(new PageModels.Fact(prefix, node.isValueNode() ? node.asText() : node.toString()));
        }
    }

    /** @return {@code path?name=value&...} with the non-empty values, encoded */
    static String url(String path, String... namesAndValues) {
        StringBuilder b = new StringBuilder(path);
        char sep = '?';
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            String v = namesAndValues[i + 1];
            if (v != null && !v.isEmpty()) {
                b.append(sep).append(namesAndValues[i]).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
                sep = '&';
            }
        }
        return b.toString();
    }
}
