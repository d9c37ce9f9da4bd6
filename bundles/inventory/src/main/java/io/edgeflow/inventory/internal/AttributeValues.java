package io.edgeflow.inventory.internal;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import org.osgi.service.metatype.AttributeDefinition;

/**
 * Turns a JSON value into a configuration value of the type an attribute definition declares, and checks it
 * against everything the metatype says: the type, the cardinality, the options, the range ({@code min}/{@code max}
 * of the metatype XML) and the definition's own {@link AttributeDefinition#validate(String)}. Also turns a
 * configuration value back into JSON.
 * <p>
 * A number or a boolean may come as a JSON number/boolean or as its text ({@code "30"}, {@code "true"}), so a
 * command line that sends {@code key=value} pairs as strings works too; a string attribute takes only a string.
 * An attribute with a cardinality other than 0 takes a JSON array (or one value, as a list of one).
 */
final class AttributeValues {
    /** Longest stretch of a value quoted in a message. */
    private static final int QUOTE_CHARS = 80;

    private AttributeValues() {
    }

    /**
     * The range the metatype XML gives an attribute ({@code min}, {@code max}); either may be null. For numbers it
     * bounds the value, for strings and passwords the length.
     *
     * @param min the lowest value (or length), or null
     * @param max the highest value (or length), or null
     */
    record Range(String min, String max) {
        static final Range NONE = new Range(null, null);
    }

    /**
     * @param pid the PID, for messages
     * @param ad the attribute definition
     * @param range its range, or {@link Range#NONE}
     * @param json the value as read from JSON ({@code String}, {@code Number}, {@code Boolean}, {@code List}); not null
     * @return the configuration value: the attribute's type, an array of it (cardinality above 0) or a list of it
     *         (below 0)
     * @throws InvalidValueException {@code invalid_configuration}, naming the property
     */
    static Object toConfigurationValue(String pid, AttributeDefinition ad, Range range, Object json)
            throws InvalidValueException {
        String id = ad.getID();
        boolean secret = SecretProperties.isSecret(id, ad);
        int cardinality = ad.getCardinality();
        if (cardinality == 0) {
            if (json instanceof List<?>) {
                throw invalid(pid, id, "takes one value, not a list");
            }
            return element(pid, ad, range, secret, json);
        }
        List<?> elements = json instanceof List<?> list ? list : List.of(json);
        int most = Math.abs(cardinality);
        if (most != Integer.MAX_VALUE && elements.size() > most) {
            throw invalid(pid, id, "takes at most " + most + " values, not " + elements.size());
        }
        List<Object> values = new ArrayList<>(elements.size());
        for (Object element : elements) {
            if (element == null || element instanceof List<?> || element instanceof java.util.Map<?, ?>) {
                throw invalid(pid, id, "takes a list of " + typeName(ad.getType()) + " values");
            }
            values.add(element(pid, ad, range, secret, element));
        }
        if (cardinality < 0) {
            return values;
        }
        Object array = Array.newInstance(javaType(ad.getType()), values.size());
        for (int i = 0; i < values.size(); i++) {
            Array.set(array, i, values.get(i));
        }
        return array;
    }

    private static Object element(String pid, AttributeDefinition ad, Range range, boolean secret, Object json)
            throws InvalidValueException {
        String id = ad.getID();
        Object value = convert(pid, ad, secret, json);
        String text = String.valueOf(value);
        String[] options = ad.getOptionValues();
        if (options != null && options.length > 0 && !Arrays.asList(options).contains(text)) {
            throw invalid(pid, id, (secret ? "the value" : quote(text)) + " is not one of the options "
                    + String.join(", ", options));
        }
        checkRange(pid, ad, range, secret, value);
        String problem;
        try {
            problem = ad.validate(escapeForValidate(text, ad.getCardinality()));
        } catch (RuntimeException e) {
            // a metatype implementation that cannot check this value says nothing against it
            problem = null;
        }
        if (problem != null && !problem.isEmpty()) {
            // the implementation's message may quote the value: never for a secret
            throw invalid(pid, id, secret ? "the value is not valid" : problem);
        }
        return value;
    }

    private static Object convert(String pid, AttributeDefinition ad, boolean secret, Object json)
            throws InvalidValueException {
        String id = ad.getID();
        int type = ad.getType();
        String what = secret ? "the value" : quote(String.valueOf(json));
        switch (type) {
            case AttributeDefinition.STRING, AttributeDefinition.PASSWORD -> {
                if (json instanceof String s) {
                    return s;
                }
                throw invalid(pid, id, "takes a string");
            }
            case AttributeDefinition.BOOLEAN -> {
                if (json instanceof Boolean b) {
                    return b;
                }
                if (json instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
                    return Boolean.valueOf(s);
                }
                throw invalid(pid, id, "takes true or false, not " + what);
            }
            case AttributeDefinition.CHARACTER -> {
                if (json instanceof String s && s.length() == 1) {
                    return s.charAt(0);
                }
                throw invalid(pid, id, "takes one character, not " + what);
            }
            case AttributeDefinition.LONG, AttributeDefinition.INTEGER, AttributeDefinition.SHORT,
                    AttributeDefinition.BYTE, AttributeDefinition.BIGINTEGER -> {
                BigInteger n = wholeNumber(json);
                if (n == null) {
                    throw invalid(pid, id, "takes a whole number, not " + what);
                }
                BigInteger[] bounds = bounds(type);
                if (bounds != null && (n.compareTo(bounds[0]) < 0 || n.compareTo(bounds[1]) > 0)) {
                    throw invalid(pid, id, (secret ? "the value" : quote(n.toString())) + " is out of the range of "
                            + typeName(type) + " (" + bounds[0] + " to " + bounds[1] + ")");
                }
                return switch (type) {
                    case AttributeDefinition.LONG -> n.longValue();
                    case AttributeDefinition.INTEGER -> n.intValue();
                    case AttributeDefinition.SHORT -> n.shortValue();
                    case AttributeDefinition.BYTE -> n.byteValue();
                    default -> n;
                };
            }
            case AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT, AttributeDefinition.BIGDECIMAL -> {
                BigDecimal d = decimal(json);
                if (d == null) {
                    throw invalid(pid, id, "takes a number, not " + what);
                }
                if (type == AttributeDefinition.BIGDECIMAL) {
                    return d;
                }
                double v = d.doubleValue();
                if (Double.isInfinite(v) || type == AttributeDefinition.FLOAT && Float.isInfinite((float) v)) {
                    throw invalid(pid, id, (secret ? "the value" : quote(d.toString())) + " is out of the range of "
                            + typeName(type));
                }
                return type == AttributeDefinition.DOUBLE ? (Object) v : (Object) (float) v;
            }
            default -> throw invalid(pid, id, "has a type this agent cannot set (" + type + ")");
        }
    }

    private static void checkRange(String pid, AttributeDefinition ad, Range range, boolean secret, Object value)
            throws InvalidValueException {
        if (range.min() == null && range.max() == null) {
            return;
        }
        int type = ad.getType();
        BigDecimal measured;
        String measure;
        if (type == AttributeDefinition.STRING || type == AttributeDefinition.PASSWORD) {
            measured = BigDecimal.valueOf(((String) value).length());
            measure = "length ";
        } else if (value instanceof Number || value instanceof BigInteger) {
            measured = new BigDecimal(value.toString());
            measure = "";
        } else {
            return;
        }
        BigDecimal min = parse(range.min());
        BigDecimal max = parse(range.max());
        boolean below = min != null && measured.compareTo(min) < 0;
        boolean above = max != null && measured.compareTo(max) > 0;
        if (below || above) {
            String shown = secret ? "the value" : measure.isEmpty() ? quote(value.toString())
                    : "the length " + measured.toPlainString();
            String bounds = min != null && max != null ? "between " + range.min() + " and " + range.max()
                    : min != null ? "at least " + range.min() : "at most " + range.max();
            throw invalid(pid, ad.getID(), shown + " is out of range: " + (measure.isEmpty() ? "it" : "the length")
                    + " must be " + bounds);
        }
    }

    /**
     * A value as JSON: arrays and collections as lists, characters as strings, numbers and booleans as they are,
     * anything else as text; the password of a URL in a string is masked ({@link SecretProperties#maskUrlPasswords}).
     *
     * @param value a configuration value, or null
     * @return the JSON value
     */
    static Object toJson(Object value) {
        if (value == null || value instanceof Boolean) {
            return value;
        }
        if (value instanceof String s) {
            return SecretProperties.maskUrlPasswords(s);
        }
        if (value instanceof Number n) {
            if (n instanceof Double d && (d.isNaN() || d.isInfinite())
                    || n instanceof Float f && (f.isNaN() || f.isInfinite())) {
                return n.toString();
            }
            return n;
        }
        if (value.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                list.add(toJson(Array.get(value, i)));
            }
            return list;
        }
        if (value instanceof Collection<?> c) {
            List<Object> list = new ArrayList<>();
            for (Object o : c) {
                list.add(toJson(o));
            }
            return list;
        }
        return value.toString();
    }

    /**
     * The metatype default as JSON: one value (cardinality 0) or a list, typed as the attribute is, the text as it
     * is where it does not parse.
     */
    static Object defaultJson(AttributeDefinition ad) {
        String[] defaults = ad.getDefaultValue();
        if (defaults == null) {
            return null;
        }
        List<Object> values = new ArrayList<>();
        for (String d : defaults) {
            values.add(typed(ad.getType(), d));
        }
        if (ad.getCardinality() == 0) {
            return values.isEmpty() ? null : values.get(0);
        }
        return values;
    }

    private static Object typed(int type, String text) {
        try {
            return switch (type) {
                case AttributeDefinition.BOOLEAN -> Boolean.valueOf(text.strip());
                case AttributeDefinition.LONG, AttributeDefinition.INTEGER, AttributeDefinition.SHORT,
                        AttributeDefinition.BYTE, AttributeDefinition.BIGINTEGER -> new BigInteger(text.strip());
                case AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT, AttributeDefinition.BIGDECIMAL ->
                    new BigDecimal(text.strip());
                default -> text;
            };
        } catch (NumberFormatException e) {
            return text;
        }
    }

    /** @return the metatype's type as the inventory names it ({@code integer}, {@code string}, ...) */
    static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.STRING -> "string";
            case AttributeDefinition.LONG -> "long";
            case AttributeDefinition.INTEGER -> "integer";
            case AttributeDefinition.SHORT -> "short";
            case AttributeDefinition.CHARACTER -> "char";
            case AttributeDefinition.BYTE -> "byte";
            case AttributeDefinition.DOUBLE -> "double";
            case AttributeDefinition.FLOAT -> "float";
            case AttributeDefinition.BIGINTEGER -> "biginteger";
            case AttributeDefinition.BIGDECIMAL -> "bigdecimal";
            case AttributeDefinition.BOOLEAN -> "boolean";
            case AttributeDefinition.PASSWORD -> "password";
            default -> "type " + type;
        };
    }

    private static Class<?> javaType(int type) {
        return switch (type) {
            case AttributeDefinition.LONG -> Long.class;
            case AttributeDefinition.INTEGER -> Integer.class;
            case AttributeDefinition.SHORT -> Short.class;
            case AttributeDefinition.CHARACTER -> Character.class;
            case AttributeDefinition.BYTE -> Byte.class;
            case AttributeDefinition.DOUBLE -> Double.class;
            case AttributeDefinition.FLOAT -> Float.class;
            case AttributeDefinition.BIGINTEGER -> BigInteger.class;
            case AttributeDefinition.BIGDECIMAL -> BigDecimal.class;
            case AttributeDefinition.BOOLEAN -> Boolean.class;
            default -> String.class;
        };
    }

    private static BigInteger[] bounds(int type) {
        return switch (type) {
            case AttributeDefinition.LONG -> new BigInteger[] {BigInteger.valueOf(Long.MIN_VALUE),
                BigInteger.valueOf(Long.MAX_VALUE)};
            case AttributeDefinition.INTEGER -> new BigInteger[] {BigInteger.valueOf(Integer.MIN_VALUE),
                BigInteger.valueOf(Integer.MAX_VALUE)};
            case AttributeDefinition.SHORT -> new BigInteger[] {BigInteger.valueOf(Short.MIN_VALUE),
                BigInteger.valueOf(Short.MAX_VALUE)};
            case AttributeDefinition.BYTE -> new BigInteger[] {BigInteger.valueOf(Byte.MIN_VALUE),
                BigInteger.valueOf(Byte.MAX_VALUE)};
            default -> null;
        };
    }

    private static BigInteger wholeNumber(Object json) {
        if (json instanceof Integer || json instanceof Long || json instanceof Short || json instanceof Byte) {
            return BigInteger.valueOf(((Number) json).longValue());
        }
        if (json instanceof BigInteger b) {
            return b;
        }
        BigDecimal d = json instanceof String s ? parse(s.strip())
                : json instanceof BigDecimal b ? b : json instanceof Number n ? parse(n.toString()) : null;
        if (d == null || json instanceof String s && s.strip().length() > 400) {
            return null;
        }
        try {
            return d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private static BigDecimal decimal(Object json) {
        if (json instanceof String s) {
            return s.strip().length() > 400 ? null : parse(s.strip());
        }
        return json instanceof Number n ? parse(n.toString()) : null;
    }

    private static BigDecimal parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(text.strip());
            // 1e999999999 would make toBigIntegerExact allocate without end
            return Math.abs((long) d.scale()) > 10_000 || d.precision() > 10_000 ? null : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * {@link AttributeDefinition#validate(String)} reads a multi-valued attribute's text as a comma separated list
     * (backslash escapes a comma): one element is passed with its commas and backslashes escaped.
     */
    private static String escapeForValidate(String text, int cardinality) {
        return cardinality == 0 ? text : text.replace("\\", "\\\\").replace(",", "\\,");
    }

    private static String quote(String text) {
        String s = text.length() > QUOTE_CHARS ? text.substring(0, QUOTE_CHARS) + "…" : text;
        return "'" + s.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    private static InvalidValueException invalid(String pid, String property, String problem) {
        return new InvalidValueException("invalid_configuration", property, "Property '" + property + "' of " + pid
                + ": " + problem + ". Nothing was changed.");
    }
}
