package io.edgeflow.inventory.internal;

import java.util.function.Function;

import org.osgi.service.metatype.AttributeDefinition;

/**
 * An attribute definition for tests, as a metatype service hands it out: its {@code validate} answers as the
 * function given ({@code ""} valid, null no check, a message otherwise).
 */
record Ad(String id, int type, int cardinality, String[] options, String[] defaults, Function<String, String> validator)
        implements AttributeDefinition {

    static Ad of(String id, int type) {
        return new Ad(id, type, 0, null, null, v -> "");
    }

    Ad cardinality(int n) {
        return new Ad(id, type, n, options, defaults, validator);
    }

    Ad options(String... values) {
        return new Ad(id, type, cardinality, values, defaults, validator);
    }

    Ad defaults(String... values) {
        return new Ad(id, type, cardinality, options, values, validator);
    }

    Ad validator(Function<String, String> f) {
        return new Ad(id, type, cardinality, options, defaults, f);
    }

    @Override
    public String getName() {
        return "Name of " + id;
    }

    @Override
    public String getID() {
        return id;
    }

    @Override
    public String getDescription() {
        return "Description of " + id;
    }

    @Override
    public int getCardinality() {
        return cardinality;
    }

    @Override
    public int getType() {
        return type;
    }

    @Override
    public String[] getOptionValues() {
        return options;
    }

    @Override
    public String[] getOptionLabels() {
        return options == null ? null : java.util.Arrays.stream(options).map(o -> "Label " + o).toArray(String[]::new);
    }

    @Override
    public String validate(String value) {
        return validator.apply(value);
    }

    @Override
    public String[] getDefaultValue() {
        return defaults;
    }
}
