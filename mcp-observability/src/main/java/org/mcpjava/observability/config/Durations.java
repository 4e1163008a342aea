package org.mcpjava.observability.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Parses and prints durations the way configuration files and flags write them. */
final class Durations {
    private Durations() {
    }

    /** {@code 250ms}, {@code 10s}, {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 7d}, a bare number of seconds, or ISO-8601. */
    static Duration parse(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt") || v.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            }
            double factor;
            char unit = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
            switch (unit) {
                case 's':
                    factor = 1_000;
                    break;
                case 'm':
                    factor = 60_000;
                    break;
                case 'h':
                    factor = 3_600_000;
                    break;
                case 'd':
                    factor = 86_400_000;
                    break;
                default:
                    return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1).trim()) * factor));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration (e.g. 250ms, 10s, 2m, 1h, 7d)");
        }
    }

    /** The shortest exact form: {@code 7d}, {@code 30s}, {@code 250ms}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
