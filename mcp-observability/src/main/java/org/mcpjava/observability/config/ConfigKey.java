package org.mcpjava.observability.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key: its dotted name ({@code server.port}), the type its text parses to, a
 * default, a description for the docs, and whether it is a secret (masked when printed). The
 * environment variable of a key is {@code MCP_} plus the name in upper case with dots and dashes
 * as underscores ({@code server.max-frame} is {@code MCP_SERVER_MAX_FRAME}).
 *
 * @param <T> the parsed type
 */
public final class ConfigKey<T> {
    private final String name;
    private final String description;
    private final Function<String, T> parser;
    private final Function<T, Object> renderer;
    private final T defaultValue;
    private final boolean secret;
    private final boolean list;

    private ConfigKey(String name, String description, Function<String, T> parser, Function<T, Object> renderer,
                      T defaultValue, boolean secret, boolean list) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = description;
        this.parser = parser;
        this.renderer = renderer;
        this.defaultValue = defaultValue;
        this.secret = secret;
        this.list = list;
    }

    /** A text value. */
    public static ConfigKey<String> string(String name, String defaultValue, String description) {
        return new ConfigKey<>(name, description, s -> requireText(s), s -> s, defaultValue, false, false);
    }

    /** A secret text value: printed as {@code ****}; {@code null} default means none. */
    public static ConfigKey<String> secret(String name, String description) {
        return new ConfigKey<>(name, description, s -> s, s -> s, null, true, false);
    }

    /** A file path; {@code null} default means none. */
    public static ConfigKey<Path> path(String name, String defaultValue, String description) {
        return new ConfigKey<>(name, description, s -> Path.of(requireText(s)), Path::toString,
                defaultValue == null ? null : Path.of(defaultValue), false, false);
    }

    /** An integer in {@code [min, max]}. */
    public static ConfigKey<Integer> integer(String name, int defaultValue, int min, int max, String description) {
        return new ConfigKey<>(name, description, s -> {
            long v;
            try {
                v = Long.parseLong(s.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an integer");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("must be " + (max == Integer.MAX_VALUE ? ">= " + min : min + "-" + max));
            }
            return (int) v;
        }, v -> v, defaultValue, false, false);
    }

    /** A fraction from 0 to 1, e.g. {@code 0.01}. */
    public static ConfigKey<Double> ratio(String name, double defaultValue, String description) {
        return new ConfigKey<>(name, description, s -> {
            double v;
            try {
                v = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number");
            }
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("must be between 0 and 1");
            }
            return v;
        }, v -> v, defaultValue, false, false);
    }

    /** {@code true} or {@code false} (also yes/no, on/off). */
    public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String description) {
        return new ConfigKey<>(name, description, s -> {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "true": case "yes": case "on":
                    return true;
                case "false": case "no": case "off":
                    return false;
                default:
                    throw new IllegalArgumentException("must be true or false");
            }
        }, v -> v, defaultValue, false, false);
    }

    /**
     * A duration: {@code 250ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 7d}, a bare number of
     * seconds, or ISO-8601 ({@code PT30S}); at least {@code min}.
     */
    public static ConfigKey<Duration> duration(String name, String defaultValue, Duration min, String description) {
        return new ConfigKey<>(name, description, s -> {
            Duration d = Durations.parse(s);
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException(min.isZero() ? "must not be negative"
                        : "must be at least " + Durations.format(min));
            }
            return d;
        }, Durations::format, Durations.parse(defaultValue), false, false);
    }

    /** One of {@code choices} (case-insensitive), parsed to lower case. */
    public static ConfigKey<String> choice(String name, String defaultValue, String description, String... choices) {
        List<String> allowed = Arrays.asList(choices);
        return new ConfigKey<>(name, description, s -> {
            String v = s.trim().toLowerCase(Locale.ROOT);
            if (!allowed.contains(v)) {
                throw new IllegalArgumentException("must be one of " + String.join(", ", allowed));
            }
            return v;
        }, v -> v, defaultValue, false, false);
    }

    /** A list of texts: a YAML sequence, or comma-separated text (environment, flags). */
    public static ConfigKey<List<String>> list(String name, boolean secret, String description) {
        return new ConfigKey<>(name, description, s -> {
            List<String> out = new ArrayList<>();
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return Collections.unmodifiableList(out);
        }, v -> v, List.of(), secret, true);
    }

    private static String requireText(String s) {
        if (s.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return s.trim();
    }

    /** The dotted name, e.g. {@code server.port}. */
    public String name() {
        return name;
    }

    /** What the key is for (for the docs and {@code --help}). */
    public String description() {
        return description;
    }

    /** The value when nothing sets the key, or {@code null} for none. */
    public T defaultValue() {
        return defaultValue;
    }

    /** Whether the value is masked when printed. */
    public boolean isSecret() {
        return secret;
    }

    /** Whether the value is a list. */
    public boolean isList() {
        return list;
    }

    /** The environment variable that overrides this key. */
    public String envName() {
        return "MCP_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Parses {@code raw} text (a list's elements joined with commas).
     *
     * @throws IllegalArgumentException with the problem (not naming the key: the caller does)
     */
    T parse(String raw) {
        return parser.apply(raw);
    }

    /** The value for printing: a number, boolean, text or list. */
    Object render(T value) {
        return value == null ? null : renderer.apply(value);
    }

    @Override
    public String toString() {
        return name;
    }
}
