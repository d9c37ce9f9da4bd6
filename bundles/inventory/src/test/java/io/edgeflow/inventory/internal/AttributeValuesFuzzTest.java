package io.edgeflow.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import org.osgi.service.metatype.AttributeDefinition;

import io.edgeflow.inventory.internal.AttributeValues.Range;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever JSON a caller sends for whatever attribute: a value of the attribute's type, or an
 * {@link InvalidValueException} naming the property; never another exception (which would be a 500).
 */
class AttributeValuesFuzzTest {
    private static final int[] TYPES = {AttributeDefinition.STRING, AttributeDefinition.LONG,
        AttributeDefinition.INTEGER, AttributeDefinition.SHORT, AttributeDefinition.CHARACTER, AttributeDefinition.BYTE,
        AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT, AttributeDefinition.BOOLEAN, AttributeDefinition.PASSWORD};

    @Provide
    Arbitrary<Object> json() {
        Arbitrary<Object> scalar = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(30).map(s -> (Object) s),
                Arbitraries.of("1", "-1", "0", "1e3", "1.5", "NaN", "Infinity", "true", "FALSE", "1e999999", " 7 ",
                        "9223372036854775808", "x,y", "\\").map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
                        .map(b -> (Object) b),
                Arbitraries.bigDecimals().ofScale(3).map(d -> (Object) d),
                Arbitraries.of(new BigDecimal("1E+400"), new BigDecimal("-1E-400")).map(d -> (Object) d),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(Map.of("a", 1)));
        return Arbitraries.oneOf(scalar, scalar.list().ofMaxSize(4).map(l -> (Object) l),
                Arbitraries.just(java.util.Arrays.asList(1, null)));
    }

    @Property
    void anyValueIsTypedOrRefusedByName(@ForAll("json") Object json, @ForAll("types") int type,
            @ForAll("cardinalities") int cardinality, @ForAll boolean options, @ForAll boolean range) {
        Ad ad = Ad.of("p", type).cardinality(cardinality);
        if (options) {
            ad = ad.options("1", "a", "true");
        }
        Range r = range ? new Range("-5", "5") : Range.NONE;
        try {
            Object value = AttributeValues.toConfigurationValue("io.edgeflow.fuzz", ad, r, json);
            assertThat(value).isNotNull();
            if (cardinality > 0) {
                assertThat(value.getClass().isArray()).isTrue();
            } else if (cardinality < 0) {
                assertThat(value).isInstanceOf(List.class);
            }
            assertThat(AttributeValues.toJson(value)).isNotNull();
        } catch (InvalidValueException e) {
            assertThat(e.property()).isEqualTo("p");
            assertThat(e.getMessage()).contains("'p'");
        }
    }

    @Provide
    Arbitrary<Integer> types() {
        return Arbitraries.of(java.util.Arrays.stream(TYPES).boxed().toList());
    }

    @Provide
    Arbitrary<Integer> cardinalities() {
        return Arbitraries.of(0, 1, 3, -2, Integer.MAX_VALUE, Integer.MIN_VALUE + 1);
    }
}
