package org.mcpjava.cli.format;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/**
 * Decides whether bytes are text a person can read, and renders them on one line.
 *
 * <p>"Printable" means valid UTF-8 with no control characters other than tab, line feed and
 * carriage return. Empty input is not printable (there is nothing to preview).
 */
public final class TextPreview {
    private TextPreview() {
    }

    /** The bytes as a String if they are printable text, else {@code null}. Does not move indexes. */
    public static String printable(ByteBuf buf, int index, int length) {
        if (length == 0 || !ByteBufUtil.isText(buf, index, length, StandardCharsets.UTF_8)) {
            return null;
        }
        String s = buf.toString(index, length, StandardCharsets.UTF_8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                return null;
            }
        }
        return s;
    }

    /** The readable bytes of {@code buf} as printable text, or {@code null}. */
    public static String printable(ByteBuf buf) {
        return printable(buf, buf.readerIndex(), buf.readableBytes());
    }

    /**
     * {@code text} on one line: tab, line feed and carriage return shown as {@code \t}, {@code \n},
     * {@code \r}, and cut after {@code maxChars} with a note of how much was left out.
     */
    public static String oneLine(String text, int maxChars) {
        String shown = text.length() > maxChars ? text.substring(0, maxChars) : text;
        String escaped = shown.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
        return text.length() > maxChars
                ? escaped + " ... (" + (text.length() - maxChars) + " more chars)"
                : escaped;
    }
}
