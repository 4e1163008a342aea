package org.mcpjava.wire;

/**
 * The MCP/1 frame types with their wire values and the rules the decoder enforces for each.
 *
 * <p>Lookup by wire value is an array index ({@link #fromWire(int)}), so it is cheap on the hot path.
 */
public enum FrameType {
    HELLO(0x01, StreamIdRule.ZERO, false, 0),
    WELCOME(0x02, StreamIdRule.ZERO, false, 0),
    PING(0x03, StreamIdRule.ZERO, false, 0),
    PONG(0x04, StreamIdRule.ZERO, false, 0),
    GOAWAY(0x05, StreamIdRule.ZERO, false, 0),
    REQUEST(0x10, StreamIdRule.NON_ZERO, true, 0),
    RESPONSE(0x11, StreamIdRule.NON_ZERO, true, 0),
    ERROR(0x12, StreamIdRule.ANY, true, 0),
    NOTIFY(0x13, StreamIdRule.ZERO, true, 0),
    CANCEL(0x14, StreamIdRule.NON_ZERO, false, 0),
    PUBLISH(0x20, StreamIdRule.ZERO_IFF_QOS0, false, Flags.QOS_MASK | Flags.DUP | Flags.RETAIN),
    PUBACK(0x21, StreamIdRule.NON_ZERO, false, 0),
    PUBREC(0x22, StreamIdRule.NON_ZERO, false, 0),
    PUBREL(0x23, StreamIdRule.NON_ZERO, false, Flags.DUP),
    PUBCOMP(0x24, StreamIdRule.NON_ZERO, false, 0),
    NACK(0x25, StreamIdRule.NON_ZERO, false, 0),
    SUBSCRIBE(0x28, StreamIdRule.NON_ZERO, false, 0),
    SUBACK(0x29, StreamIdRule.NON_ZERO, false, 0),
    UNSUBSCRIBE(0x2A, StreamIdRule.NON_ZERO, false, 0),
    UNSUBACK(0x2B, StreamIdRule.NON_ZERO, false, 0);

    /** Which stream ids a frame type may carry. */
    public enum StreamIdRule {
        /** Connection-level frame: stream id 0. */
        ZERO,
        /** Belongs to a request or packet: stream id 1 .. 2^32-1. */
        NON_ZERO,
        /** ERROR: 0 for a connection error, n for a failed request. */
        ANY,
        /** PUBLISH: 0 exactly when QoS is 0. */
        ZERO_IFF_QOS0
    }

    private static final FrameType[] BY_WIRE = new FrameType[256];

    static {
        for (FrameType t : values()) {
            BY_WIRE[t.wire] = t;
        }
    }

    private final int wire;
    private final StreamIdRule streamIdRule;
    private final boolean hasOpcode;
    private final int allowedFlags;

    FrameType(int wire, StreamIdRule streamIdRule, boolean hasOpcode, int allowedFlags) {
        this.wire = wire;
        this.streamIdRule = streamIdRule;
        this.hasOpcode = hasOpcode;
        this.allowedFlags = allowedFlags;
    }

    /** The byte written at offset 3 of the frame. */
    public int wire() {
        return wire;
    }

    /** The stream-id rule the decoder enforces for this type. */
    public StreamIdRule streamIdRule() {
        return streamIdRule;
    }

    /** Whether the opcode field carries an application command (REQUEST, RESPONSE, ERROR, NOTIFY). */
    public boolean hasOpcode() {
        return hasOpcode;
    }

    /** The flag bits this type may set; every other bit must be 0. */
    public int allowedFlags() {
        return allowedFlags;
    }

    /** Whether {@code streamId} is legal for this type with the given flags. */
    public boolean isLegalStreamId(long streamId, int flags) {
        switch (streamIdRule) {
            case ZERO:
                return streamId == 0;
            case NON_ZERO:
                return streamId != 0;
            case ZERO_IFF_QOS0:
                return (streamId == 0) == (Flags.qos(flags) == 0);
            default:
                return true;
        }
    }

    /**
     * The type with wire value {@code wire}, or {@code null} if MCP/1 defines none.
     *
     * @param wire the type byte, 0-255
     */
    public static FrameType fromWire(int wire) {
        return (wire & ~0xFF) == 0 ? BY_WIRE[wire] : null;
    }
}
