package io.edgeflow.json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;

/**
 * JSON with jackson-core's streaming API only: the agent's bodies and frames are small maps and lists, and
 * jackson-databind's object mapper would add several hundred classes to start-up and memory for nothing.
 * Values are {@code Map<String, ?>} (insertion order kept), {@code List<?>} (any {@code Iterable} when
 * writing), {@code String}, {@code Number}, {@code Boolean} and {@code null}; anything else is written as
 * its {@code toString()}. Whole numbers read as {@code Integer}, {@code Long} or {@code BigInteger}, others
 * as {@code BigDecimal}.
 * <p>
 * Shared at build time: the local API, provisioning and tunnel bundles each embed a private copy of this
 * package (bnd {@code -conditionalpackage}), so none of them exports or imports it. Each picks its own limits.
 */
public final class JsonCodec {
    private final JsonFactory factory;
    private final int maxDepth;

    private JsonCodec(int maxDepth, int maxStringLength) {
        this.maxDepth = maxDepth;
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth)
                        .maxStringLength(maxStringLength).build())
                .build();
    }

    /**
     * @param maxDepth deepest nesting accepted when reading
     * @param maxStringLength longest string accepted when reading, in characters
     * @return a codec with these limits
     * @throws IllegalArgumentException if a limit is below 1
     */
    public static JsonCodec withLimits(int maxDepth, int maxStringLength) {
        if (maxDepth < 1 || maxStringLength < 1) {
            throw new IllegalArgumentException("JSON limits must be at least 1");
        }
        return new JsonCodec(maxDepth, maxStringLength);
    }

    /** @return the deepest nesting this codec reads */
    public int maxDepth() {
        return maxDepth;
    }

    /**
     * @param value the value
     * @return compact JSON, UTF-8
     */
    public byte[] write(Object value) {
        return toBytes(value, false);
    }

    /**
     * @param value the value
     * @return compact JSON text
     */
    public String writeString(Object value) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator generator = factory.createGenerator(out)) {
            writeValue(generator, value);
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
        return out.toString();
    }

    /**
     * Writes a value pretty-printed as in the product documentation: {@code "key": value}, two spaces.
     *
     * @param value the value
     * @return UTF-8 bytes
     */
    public byte[] writePretty(Object value) {
        return toBytes(value, true);
    }

    private byte[] toBytes(Object value, boolean pretty) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = factory.createGenerator(out)) {
            if (pretty) {
                generator.setPrettyPrinter(new DefaultPrettyPrinter().withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));
            }
            writeValue(generator, value);
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator generator, Object value) throws IOException {
        if (value == null) {
            generator.writeNull();
        } else if (value instanceof String s) {
            generator.writeString(s);
        } else if (value instanceof Boolean b) {
            generator.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte) {
            generator.writeNumber(((Number) value).longValue());
        } else if (value instanceof Number n) {
            generator.writeNumber(n.toString());
        } else if (value instanceof Map<?, ?> map) {
            generator.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                generator.writeFieldName(String.valueOf(entry.getKey()));
                writeValue(generator, entry.getValue());
            }
            generator.writeEndObject();
        } else if (value instanceof Iterable<?> list) {
            generator.writeStartArray();
            for (Object item : list) {
                writeValue(generator, item);
            }
            generator.writeEndArray();
        } else {
            generator.writeString(value.toString());
        }
    }

    /**
     * Parses exactly one JSON value.
     *
     * @param bytes UTF-8 (or UTF-16/32, detected) JSON
     * @return the value
     * @throws IOException for malformed JSON, trailing content, or a limit passed
     */
    public Object read(byte[] bytes) throws IOException {
        try (JsonParser parser = factory.createParser(bytes)) {
            return readOne(parser, false);
        }
    }

    /**
     * Parses exactly one JSON object.
     *
     * @param bytes UTF-8 (or UTF-16/32, detected) JSON
     * @return its fields
     * @throws IOException if the bytes are not exactly one JSON object, or a limit is passed
     */
    public Map<String, Object> readObject(byte[] bytes) throws IOException {
        try (JsonParser parser = factory.createParser(bytes)) {
            return asObject(readOne(parser, true));
        }
    }

    /**
     * Parses exactly one JSON object.
     *
     * @param text JSON text
     * @return its fields
     * @throws IOException if the text is not exactly one JSON object, or a limit is passed
     */
    public Map<String, Object> readObject(String text) throws IOException {
        try (JsonParser parser = factory.createParser(text)) {
            return asObject(readOne(parser, true));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object value) {
        return (Map<String, Object>) value;
    }

    private static Object readOne(JsonParser parser, boolean objectOnly) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw new JsonParseException(parser, "no JSON value");
        }
        if (objectOnly && first != JsonToken.START_OBJECT) {
            throw new JsonParseException(parser, "not a JSON object");
        }
        Object value = readValue(parser);
        if (parser.nextToken() != null) {
            throw new JsonParseException(parser, "text after the JSON value");
        }
        return value;
    }

    private static Object readValue(JsonParser parser) throws IOException {
        switch (parser.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    map.put(name, readValue(parser));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    list.add(readValue(parser));
                }
                return list;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_NUMBER_INT -> {
                return parser.getNumberValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return parser.getDecimalValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new JsonParseException(parser, "unexpected " + parser.currentToken());
        }
    }
}
