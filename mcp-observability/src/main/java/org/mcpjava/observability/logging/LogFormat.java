package org.mcpjava.observability.logging;

import java.util.Locale;

/** How the server writes its log lines. */
public enum LogFormat {
    /** One JSON object per line (logstash fields plus the connection fields): for log collectors. */
    JSON,
    /** One human-readable line per event: for a terminal. */
    PLAIN;

    /** The format named {@code name} (case-insensitive), or an exception naming the choices. */
    public static LogFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("must be json or plain: " + name);
        }
    }
}
