package io.edgeflow.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;

import io.edgeflow.inventory.internal.AttributeValues.Range;

class AttributeValuesTest {
    private static final String PID = "io.edgeflow.test";

    private static Object value(Ad ad, Object json) throws InvalidValueException {
        return AttributeValues.toConfigurationValue(PID, ad, Range.NONE, json);
    }

    private static Object value(Ad ad, Range range, Object json) throws InvalidValueException {
        return AttributeValues.toConfigurationValue(PID, ad, range, json);
    }

    private static InvalidValueException refused(Ad ad, Range range, Object json) {
        InvalidValueException e = catchThrowableOfType(() -> value(ad, range, json), InvalidValueException.class);
        assertThat(e).as("%s refused for %s", json, ad.id()).isNotNull();
        assertThat(e.code()).isEqualTo("invalid_configuration");
        assertThat(e.property()).isEqualTo(ad.id());
        assertThat(e.getMessage()).contains("'" + ad.id() + "'").contains(PID);
        return e;
    }

    private static InvalidValueException refused(Ad ad, Object json) {
        return refused(ad, Range.NONE, json);
    }

    @Test
    void convertsEachTypeFromJsonOrFromItsText() throws Exception {
        assertThat(value(Ad.of("n", AttributeDefinition.INTEGER), 30)).isEqualTo(30);
        assertThat(value(Ad.of("n", AttributeDefinition.INTEGER), "30")).isEqualTo(30);
        assertThat(value(Ad.of("n", AttributeDefinition.LONG), 5_000_000_000L)).isEqualTo(5_000_000_000L);
        assertThat(value(Ad.of("n", AttributeDefinition.SHORT), 7)).isEqualTo((short) 7);
        assertThat(value(Ad.of("n", AttributeDefinition.BYTE), -3)).isEqualTo((byte) -3);
        assertThat(value(Ad.of("n", AttributeDefinition.DOUBLE), new java.math.BigDecimal("1.5"))).isEqualTo(1.5d);
        assertThat(value(Ad.of("n", AttributeDefinition.FLOAT), "2.25")).isEqualTo(2.25f);
        assertThat(value(Ad.of("b", AttributeDefinition.BOOLEAN), true)).isEqualTo(true);
        assertThat(value(Ad.of("b", AttributeDefinition.BOOLEAN), "FALSE")).isEqualTo(false);
        assertThat(value(Ad.of("c", AttributeDefinition.CHARACTER), "x")).isEqualTo('x');
        assertThat(value(Ad.of("s", AttributeDefinition.STRING), "text")).isEqualTo("text");
        assertThat(value(Ad.of("n", AttributeDefinition.INTEGER), new java.math.BigDecimal("4.0"))).isEqualTo(4);
    }

    @Test
    void refusesAValueOfAnotherType() {
        refused(Ad.of("n", AttributeDefinition.INTEGER), "thirty");
        refused(Ad.of("n", AttributeDefinition.INTEGER), 1.5);
        refused(Ad.of("n", AttributeDefinition.INTEGER), true);
        refused(Ad.of("n", AttributeDefinition.INTEGER), 3_000_000_000L);
        refused(Ad.of("n", AttributeDefinition.BYTE), 128);
        refused(Ad.of("n", AttributeDefinition.INTEGER), "1e999999999");
        refused(Ad.of("d", AttributeDefinition.DOUBLE), "1e999");
        refused(Ad.of("b", AttributeDefinition.BOOLEAN), "yes");
        refused(Ad.of("b", AttributeDefinition.BOOLEAN), 1);
        refused(Ad.of("s", AttributeDefinition.STRING), 5);
        refused(Ad.of("c", AttributeDefinition.CHARACTER), "xy");
        assertThat(refused(Ad.of("n", AttributeDefinition.INTEGER), "thirty").getMessage())
                .contains("whole number").contains("'thirty'");
    }

    @Test
    void appliesTheRangeOfTheMetatype() throws Exception {
        Ad port = Ad.of("heartbeat", AttributeDefinition.INTEGER);
        Range range = new Range("1", "3600");
        assertThat(value(port, range, 1)).isEqualTo(1);
        assertThat(value(port, range, 3600)).isEqualTo(3600);
        assertThat(refused(port, range, 0).getMessage()).contains("between 1 and 3600");
        refused(port, range, 3601);
        refused(Ad.of("n", AttributeDefinition.LONG), new Range("10", null), 9);
        refused(Ad.of("n", AttributeDefinition.DOUBLE), new Range(null, "0.5"), 0.75);
        // for a string, the range bounds its length
        Ad name = Ad.of("name", AttributeDefinition.STRING);
        assertThat(value(name, new Range("2", "4"), "abcd")).isEqualTo("abcd");
        assertThat(refused(name, new Range("2", "4"), "abcde").getMessage()).contains("length");
    }

    @Test
    void asksTheAttributeDefinitionToValidateEachValue() throws Exception {
        Ad even = Ad.of("even", AttributeDefinition.INTEGER)
                .validator(v -> Integer.parseInt(v) % 2 == 0 ? "" : "Value is not even");
        assertThat(value(even, 4)).isEqualTo(4);
        assertThat(refused(even, Range.NONE, 3).getMessage()).contains("Value is not even");
        // null: the implementation does no checking of its own
        assertThat(value(Ad.of("s", AttributeDefinition.STRING).validator(v -> null), "x")).isEqualTo("x");
    }

    @Test
    void acceptsOnlyTheOptions() throws Exception {
        Ad mode = Ad.of("mode", AttributeDefinition.STRING).options("fast", "safe");
        assertThat(value(mode, "safe")).isEqualTo("safe");
        assertThat(refused(mode, "reckless").getMessage()).contains("fast, safe");
        Ad level = Ad.of("level", AttributeDefinition.INTEGER).options("1", "2");
        assertThat(value(level, 2)).isEqualTo(2);
        refused(level, 3);
    }

    @Test
    void followsTheCardinality() throws Exception {
        Ad one = Ad.of("one", AttributeDefinition.STRING);
        refused(one, List.of("a"));
        Ad array = Ad.of("keys", AttributeDefinition.STRING).cardinality(2);
        assertThat((String[]) value(array, List.of("a", "b"))).containsExactly("a", "b");
        assertThat((String[]) value(array, "a")).containsExactly("a");
        assertThat(refused(array, List.of("a", "b", "c")).getMessage()).contains("at most 2");
        Ad unbounded = Ad.of("ports", AttributeDefinition.INTEGER).cardinality(Integer.MAX_VALUE);
        assertThat((Integer[]) value(unbounded, List.of(1, "2", 3))).containsExactly(1, 2, 3);
        refused(unbounded, List.of(1, "two"));
        Ad vector = Ad.of("list", AttributeDefinition.LONG).cardinality(-3);
        assertThat(value(vector, List.of(1, 2))).isEqualTo(List.of(1L, 2L));
        refused(vector, List.of(1, 2, 3, 4));
        refused(array, java.util.Arrays.asList("a", null));
    }

    @Test
    void neverQuotesTheValueOfASecret() {
        Ad password = Ad.of("proxy_password", AttributeDefinition.PASSWORD)
                .validator(v -> "Value '" + v + "' is too short");
        InvalidValueException e = refused(password, Range.NONE, "hunter2");
        assertThat(e.getMessage()).doesNotContain("hunter2");
        Ad token = Ad.of(".api_token", AttributeDefinition.STRING).options("abc");
        assertThat(refused(token, "s3cr3t-value").getMessage()).doesNotContain("s3cr3t-value");
        Ad code = Ad.of("provisioning_code", AttributeDefinition.STRING);
        assertThat(refused(code, new Range(null, "3"), "PROV-A1B2-C3D4").getMessage()).doesNotContain("PROV-A1B2");
        Ad pin = Ad.of("key_number", AttributeDefinition.INTEGER);
        assertThat(refused(pin, new Range(null, "9"), 123456).getMessage()).doesNotContain("123456");
    }

    @Test
    void showsValuesAndDefaultsAsJson() {
        assertThat(AttributeValues.toJson(new String[] {"a", "b"})).isEqualTo(List.of("a", "b"));
        assertThat(AttributeValues.toJson(new int[] {1, 2})).isEqualTo(List.of(1, 2));
        assertThat(AttributeValues.toJson('x')).isEqualTo("x");
        assertThat(AttributeValues.defaultJson(Ad.of("n", AttributeDefinition.INTEGER).defaults("30")))
                .isEqualTo(java.math.BigInteger.valueOf(30));
        assertThat(AttributeValues.defaultJson(Ad.of("b", AttributeDefinition.BOOLEAN).defaults("true"))).isEqualTo(true);
        assertThat(AttributeValues.defaultJson(Ad.of("s", AttributeDefinition.STRING).cardinality(5)
                .defaults("a", "b"))).isEqualTo(List.of("a", "b"));
    }
}
