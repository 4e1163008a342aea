package org.mcpjava.cli.format;

import java.io.ByteArrayOutputStream;

/**
 * Parses hex text as people paste it: {@code 4d43 0103}, {@code 4d:43:01:03}, {@code 0x4d, 0x43}
 * and {@code 0x4d430103} all give the same bytes. Whitespace, colons and commas are ignored anywhere,
 * and a {@code 0x}/{@code 0X} prefix is skipped at the start of each group; every other character must
 * be a hex digit. Stateless.
 */
public final class HexText {
    private static final int CONTEXT = 12;

    private HexText() {
    }

    /**
     * The bytes {@code text} spells.
     *
     * @throws IllegalArgumentException naming the first bad character and its position, or an odd
     *     number of digits
     */
    public static byte[] parse(CharSequence text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() / 2);
        int high = -1;
        boolean groupStart = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isSeparator(c)) {
                groupStart = true;
                continue;
            }
            if (groupStart && c == '0' && i + 1 < text.length() && (text.charAt(i + 1) | 0x20) == 'x') {
                i++;
                groupStart = false;
                continue;
            }
            groupStart = false;
            int digit = digit(c);
            if (digit < 0) {
                throw new IllegalArgumentException("invalid hex: " + describe(c) + " at position " + (i + 1)
                        + " in \"" + context(text, i) + "\"");
            }
            if (high < 0) {
                high = digit;
            } else {
                out.write(high << 4 | digit);
                high = -1;
            }
        }
        if (high >= 0) {
            throw new IllegalArgumentException("invalid hex: odd number of hex digits (" + (out.size() * 2 + 1)
                    + "); every byte needs two");
        }
        return out.toByteArray();
    }

    private static boolean isSeparator(char c) {
        return c == ':' || c == ',' || Character.isWhitespace(c);
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private static String context(CharSequence text, int index) {
        int from = Math.max(0, index - CONTEXT);
        int to = Math.min(text.length(), index + CONTEXT);
        StringBuilder sb = new StringBuilder();
        if (from > 0) {
            sb.append("...");
        }
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return to < text.length() ? sb.append("...").toString() : sb.toString();
    }
}
