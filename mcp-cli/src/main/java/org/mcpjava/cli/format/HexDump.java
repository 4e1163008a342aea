package org.mcpjava.cli.format;

import io.netty.buffer.ByteBuf;

/**
 * Renders bytes like {@code hexdump -C}: an offset column, 16 bytes in hex (two groups of 8) and the
 * same bytes as ASCII with {@code .} for anything unprintable.
 *
 * <pre>
 * 00000000  7b 22 76 22 3a 32 31 2e  35 7d                    |{"v":21.5}|
 * </pre>
 */
public final class HexDump {
    /** Bytes per line. */
    public static final int WIDTH = 16;

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private HexDump() {
    }

    /**
     * Appends a dump of {@code length} bytes of {@code buf} from absolute {@code index}, each line
     * starting with {@code indent} and ending with a newline. Offsets count from {@code index}. Does
     * not move the buffer's indexes.
     */
    public static void append(StringBuilder sb, String indent, ByteBuf buf, int index, int length) {
        for (int line = 0; line < length; line += WIDTH) {
            int n = Math.min(WIDTH, length - line);
            sb.append(indent).append(String.format("%08x", line)).append("  ");
            for (int i = 0; i < WIDTH; i++) {
                if (i < n) {
                    int b = buf.getUnsignedByte(index + line + i);
                    sb.append(DIGITS[b >>> 4]).append(DIGITS[b & 0xF]).append(' ');
                } else {
                    sb.append("   ");
                }
                if (i == 7) {
                    sb.append(' ');
                }
            }
            sb.append(" |");
            for (int i = 0; i < n; i++) {
                int b = buf.getUnsignedByte(index + line + i);
                sb.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
            }
            sb.append("|\n");
        }
    }

    /** {@code length} bytes of {@code buf} from absolute {@code index} as plain lower-case hex, no separators. */
    public static String hex(ByteBuf buf, int index, int length) {
        StringBuilder sb = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++) {
            int b = buf.getUnsignedByte(index + i);
            sb.append(DIGITS[b >>> 4]).append(DIGITS[b & 0xF]);
        }
        return sb.toString();
    }

    /** The readable bytes of {@code buf} as plain lower-case hex. */
    public static String hex(ByteBuf buf) {
        return hex(buf, buf.readerIndex(), buf.readableBytes());
    }
}
