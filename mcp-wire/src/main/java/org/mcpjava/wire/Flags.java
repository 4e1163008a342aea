package org.mcpjava.wire;

/**
 * The flag bits of the frame header (offset 4).
 *
 * <pre>
 *  bit 7..4   3        2     1..0
 *  reserved   RETAIN   DUP   QOS
 * </pre>
 *
 * QOS, DUP and RETAIN are defined for PUBLISH; DUP also for PUBREL. Every bit a type does not
 * define must be 0 ({@link FrameType#allowedFlags()}).
 */
public final class Flags {
    /** Bits 0-1: QoS 0, 1 or 2 on PUBLISH; 3 is invalid. */
    public static final int QOS_MASK = 0x03;
    /** Bit 2: a retransmission (PUBLISH, PUBREL). */
    public static final int DUP = 0x04;
    /** Bit 3: the server keeps this message as the topic's retained message (PUBLISH). */
    public static final int RETAIN = 0x08;
    /** Bits 4-7: must be 0 in MCP/1. */
    public static final int RESERVED_MASK = 0xF0;

    private Flags() {
    }

    /** The QoS encoded in {@code flags} (0-3; 3 is invalid on the wire). */
    public static int qos(int flags) {
        return flags & QOS_MASK;
    }

    /** Whether the DUP bit is set. */
    public static boolean isDup(int flags) {
        return (flags & DUP) != 0;
    }

    /** Whether the RETAIN bit is set. */
    public static boolean isRetain(int flags) {
        return (flags & RETAIN) != 0;
    }

    /** PUBLISH flags for the given QoS, DUP and RETAIN. */
    public static int publish(int qos, boolean dup, boolean retain) {
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
        }
        return qos | (dup ? DUP : 0) | (retain ? RETAIN : 0);
    }

    /** A readable rendering such as {@code QOS1|DUP}, or {@code -} for none. */
    public static String toString(int flags) {
        StringBuilder sb = new StringBuilder();
        if (qos(flags) != 0) {
            sb.append("QOS").append(qos(flags));
        }
        if (isDup(flags)) {
            sb.append(sb.length() > 0 ? "|" : "").append("DUP");
        }
        if (isRetain(flags)) {
            sb.append(sb.length() > 0 ? "|" : "").append("RETAIN");
        }
        if ((flags & RESERVED_MASK) != 0) {
            sb.append(sb.length() > 0 ? "|" : "").append(String.format("RESERVED(0x%02x)", flags & RESERVED_MASK));
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }
}
