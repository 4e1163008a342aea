package org.mcpjava.cli.format;

/**
 * A minimal streaming JSON writer into a {@link StringBuilder}, enough for one-object-per-line
 * output without a JSON library. It inserts commas and escapes strings; it does not check that
 * calls nest correctly (the caller's code shape does that). Not thread-safe.
 *
 * <pre>{@code
 * new JsonWriter(sb).beginObject().field("type", "PING").field("streamId", 0).endObject();
 * }</pre>
 */
public final class JsonWriter {
    private final StringBuilder out;
    /** Whether the next value or name follows a sibling and so needs a comma first. */
    private boolean needComma;

    /** @param out where the JSON text goes */
    public JsonWriter(StringBuilder out) {
        this.out = out;
    }

    /** Starts an object ({@code {}). */
    public JsonWriter beginObject() {
        separate();
        out.append('{');
        needComma = false;
        return this;
    }

    /** Ends the current object. */
    public JsonWriter endObject() {
        out.append('}');
        needComma = true;
        return this;
    }

    /** Starts an array. */
    public JsonWriter beginArray() {
        separate();
        out.append('[');
        needComma = false;
        return this;
    }

    /** Ends the current array. */
    public JsonWriter endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    /** Writes a member name; the next call writes its value. */
    public JsonWriter name(String name) {
        separate();
        appendQuoted(out, name);
        out.append(':');
        needComma = false;
        return this;
    }

    /** Writes a string value, or {@code null}. */
    public JsonWriter value(String value) {
        separate();
        if (value == null) {
            out.append("null");
        } else {
            appendQuoted(out, value);
        }
        needComma = true;
        return this;
    }

    /** Writes a number value. */
    public JsonWriter value(long value) {
        separate();
        out.append(value);
        needComma = true;
        return this;
    }

    /** Writes a boolean value. */
    public JsonWriter value(boolean value) {
        separate();
        out.append(value);
        needComma = true;
        return this;
    }

    /** {@code name(name).value(value)}. */
    public JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    /** {@code name(name).value(value)}. */
    public JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    /** {@code name(name).value(value)}. */
    public JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    private void separate() {
        if (needComma) {
            out.append(',');
        }
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(CharSequence s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        appendQuoted(sb, s);
        return sb.toString();
    }

    /**
     * Appends {@code s} as a JSON string literal: quote, backslash and control characters escaped
     * (plus U+2028/U+2029, which break JavaScript readers); everything else as is.
     */
    public static void appendQuoted(StringBuilder sb, CharSequence s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                default:
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
