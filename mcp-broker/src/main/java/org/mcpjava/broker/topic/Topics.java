package org.mcpjava.broker.topic;

import org.mcpjava.core.McpException;
import org.mcpjava.wire.ErrorCode;

/**
 * Validation and matching of topic names and topic filters (MCP/1 section 8, metadata keys TOPIC
 * and SUBSCRIPTION). Stateless and thread-safe; nothing here allocates except to build an error.
 *
 * <p>A <em>topic name</em> is what a PUBLISH carries: 1-1024 bytes of UTF-8, no {@code '+'},
 * {@code '#'} or NUL; names beginning with {@code '$'} are reserved for the server. A <em>topic
 * filter</em> is what a SUBSCRIBE carries: 1-1024 bytes of UTF-8, no NUL, {@code '+'} only as a
 * whole level, {@code '#'} only as the whole last level, optionally in the shared form
 * {@code $share/GROUP/FILTER} (see {@link Filter}).
 */
public final class Topics {
    /** Largest topic name or filter, in UTF-8 bytes (the TOPIC metadata limit). */
    public static final int MAX_BYTES = 1024;
    /** Level separator. */
    public static final char SEPARATOR = '/';
    /** Single-level wildcard; only valid as a whole level of a filter. */
    public static final char SINGLE_LEVEL = '+';
    /** Multi-level wildcard; only valid as the whole last level of a filter. */
    public static final char MULTI_LEVEL = '#';
    /** First level of a shared subscription filter, {@code $share/GROUP/FILTER}. */
    public static final String SHARE_LEVEL = "$share";

    /** Longest excerpt of a bad value quoted in an error message. */
    private static final int QUOTE_LIMIT = 80;

    private Topics() {
    }

    /**
     * Checks a topic name as received in a PUBLISH (or produced by the server).
     *
     * @param name       the topic name
     * @param fromClient whether a client sent it: clients may not publish to {@code $} topics
     * @throws McpException TOPIC_INVALID, naming the offending value
     */
    public static void validateTopicName(String name, boolean fromClient) {
        if (name == null) {
            throw invalid("topic name is missing");
        }
        checkLength(name, "topic name");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == SINGLE_LEVEL || c == MULTI_LEVEL) {
                throw invalid("topic name must not contain '" + c + "': " + quote(name));
            }
            if (c == 0) {
                throw invalid("topic name must not contain NUL: " + quote(name));
            }
        }
        if (fromClient && name.charAt(0) == '$') {
            throw invalid("topics beginning with '$' are reserved for the server: " + quote(name));
        }
    }

    /**
     * Checks a topic filter as received in a SUBSCRIPTION entry, plain or shared. Equivalent to
     * {@link Filter#parse(String)} without keeping the result.
     *
     * @throws McpException TOPIC_INVALID, naming the offending value
     */
    public static void validateFilter(String filter) {
        Filter.parse(filter);
    }

    /**
     * Whether a plain (non-shared) filter matches a topic name, with MQTT semantics: levels are
     * split on {@code '/'} and empty levels count ({@code "a//b"} has three levels, {@code "/a"}
     * two); {@code '+'} matches exactly one level, possibly empty; {@code '#'} matches the parent
     * level and any number of child levels ({@code "a/#"} matches {@code "a"} and {@code "a/b/c"});
     * a filter whose first level is a wildcard does not match a topic beginning with {@code '$'}.
     *
     * <p>Both arguments are assumed valid ({@link Filter#filter()} and a checked topic name); the
     * result for invalid input is unspecified but never an exception other than a
     * {@link NullPointerException}. Runs in O(length) without allocating.
     */
    public static boolean matches(String filter, String topic) {
        int fLen = filter.length();
        int tLen = topic.length();
        if (fLen > 0 && tLen > 0 && topic.charAt(0) == '$'
                && (filter.charAt(0) == SINGLE_LEVEL || filter.charAt(0) == MULTI_LEVEL)) {
            return false;
        }
        // f and t are the starts of the current levels; t == tLen + 1 means the topic has no more levels.
        int f = 0;
        int t = 0;
        while (true) {
            int fEnd = levelEnd(filter, f);
            if (fEnd - f == 1 && filter.charAt(f) == MULTI_LEVEL) {
                return true;
            }
            if (t > tLen) {
                return false;
            }
            int tEnd = levelEnd(topic, t);
            boolean any = fEnd - f == 1 && filter.charAt(f) == SINGLE_LEVEL;
            if (!any && (fEnd - f != tEnd - t || !topic.regionMatches(t, filter, f, fEnd - f))) {
                return false;
            }
            if (fEnd == fLen) {
                return tEnd == tLen;
            }
            f = fEnd + 1;
            t = tEnd + 1;
        }
    }

    /** Whether a filter contains a wildcard level ({@code '+'} or {@code '#'}). */
    public static boolean hasWildcards(String filter) {
        return filter.indexOf(SINGLE_LEVEL) >= 0 || filter.indexOf(MULTI_LEVEL) >= 0;
    }

    /** End (exclusive) of the level starting at {@code start}: the next separator or the end. */
    static int levelEnd(String s, int start) {
        int end = s.indexOf(SEPARATOR, start);
        return end < 0 ? s.length() : end;
    }

    /**
     * Checks the rules a plain filter's levels must follow. {@code raw} is the whole filter as
     * received, for the message.
     */
    static void checkPlainFilter(String filter, String raw) {
        int n = filter.length();
        if (n == 0) {
            throw invalid("topic filter is empty: " + quote(raw));
        }
        if (filter.startsWith(SHARE_LEVEL) && (n == SHARE_LEVEL.length() || filter.charAt(SHARE_LEVEL.length()) == SEPARATOR)) {
            throw invalid("'" + SHARE_LEVEL + "' must be followed by GROUP/FILTER: " + quote(raw));
        }
        int levelStart = 0;
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            if (c == SEPARATOR) {
                levelStart = i + 1;
            } else if (c == 0) {
                throw invalid("topic filter must not contain NUL: " + quote(raw));
            } else if (c == SINGLE_LEVEL) {
                if (i != levelStart || (i + 1 < n && filter.charAt(i + 1) != SEPARATOR)) {
                    throw invalid("'+' must occupy a whole level: " + quote(raw));
                }
            } else if (c == MULTI_LEVEL) {
                if (i != levelStart || i + 1 != n) {
                    throw invalid("'#' must be the whole last level: " + quote(raw));
                }
            }
        }
    }

    /** Checks 1-1024 UTF-8 bytes and well-formed UTF-16 (a lone surrogate has no UTF-8 form). */
    static void checkLength(String s, String what) {
        int bytes = utf8Length(s);
        if (bytes < 0) {
            throw invalid(what + " is not valid Unicode (lone surrogate): " + quote(s));
        }
        if (bytes == 0 || bytes > MAX_BYTES) {
            throw invalid(what + " must be 1-" + MAX_BYTES + " UTF-8 bytes, was " + bytes + ": " + quote(s));
        }
    }

    /** The UTF-8 length of {@code s}, or -1 if it contains a lone surrogate. */
    static int utf8Length(CharSequence s) {
        int bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                return -1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    static McpException invalid(String message) {
        return new McpException(ErrorCode.TOPIC_INVALID, message);
    }

    /** The value for an error message: quoted, control characters escaped, long values cut. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), QUOTE_LIMIT) + 24).append('"');
        int n = Math.min(s.length(), QUOTE_LIMIT);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
        if (s.length() > n) {
            b.append("... (").append(s.length()).append(" chars)");
        }
        return b.toString();
    }
}
