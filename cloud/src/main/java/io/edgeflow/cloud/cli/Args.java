package io.edgeflow.cloud.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command line taken apart: {@code --name value}, {@code --name=value}, flags, and positional
 * arguments. Unknown options are an error naming the option.
 */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    /** A wrong command line; the message is for the person who typed it. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * @param args the words after the command
     * @param withValue options that take a value
     * @param flags options that do not
     * @return the parsed arguments
     * @throws UsageException for an unknown option or a missing value
     */
    static Args parse(List<String> args, Set<String> withValue, Set<String> flags) throws UsageException {
        Args a = new Args();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h")) {
                arg = "--help";
            }
            if (arg.startsWith("--") && arg.length() > 2) {
                String name = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                if (flags.contains(name) || name.equals("--help")) {
                    if (value != null) {
                        throw new UsageException(name + " takes no value");
                    }
                    a.values.put(name, "true");
                } else if (withValue.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = args.get(++i);
                    }
                    a.values.put(name, value);
                } else {
                    throw new UsageException("unknown option " + name);
                }
            } else {
                a.positional.add(arg);
            }
        }
        return a;
    }

    String get(String name) {
        return values.get(name);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    List<String> positional() {
        return positional;
    }
}
