package org.mcpjava.wire;

/**
 * The metadata keys MCP/1 defines (0x01-0x7F), with the shape of their values.
 *
 * <p>Keys 0x80-0xFE are application-defined opaque values and 0xFF is a named header; neither has
 * a constant here. A receiver ignores defined-range keys it does not know.
 */
public enum MetadataKey {
    TOPIC(0x01, Kind.UTF8, 1, 1024),
    TRACEPARENT(0x02, Kind.UTF8, 0, 0xFFFF),
    TRACESTATE(0x03, Kind.UTF8, 0, 0xFFFF),
    TIMEOUT_MS(0x04, Kind.U32, 4, 4),
    ERROR_CODE(0x05, Kind.U16, 2, 2),
    ERROR_MESSAGE(0x06, Kind.UTF8, 0, 0xFFFF),
    MESSAGE_EXPIRY_S(0x07, Kind.U32, 4, 4),
    SUBSCRIPTION(0x10, Kind.SUBSCRIPTION, 2, 0xFFFF),
    CLIENT_ID(0x20, Kind.UTF8, 1, 256),
    KEEPALIVE_MS(0x21, Kind.U32, 4, 4),
    MAX_FRAME(0x22, Kind.U32, 4, 4),
    RECEIVE_WINDOW(0x23, Kind.U16, 2, 2),
    CODECS(0x24, Kind.BYTES, 0, 0xFFFF),
    AUTH(0x25, Kind.BYTES, 0, 0xFFFF),
    SESSION_ID(0x26, Kind.BYTES, 16, 16),
    SESSION_EXPIRY_S(0x27, Kind.U32, 4, 4),
    SESSION_PRESENT(0x28, Kind.U8, 1, 1),
    SERVER_NAME(0x29, Kind.UTF8, 0, 0xFFFF),
    LAST_STREAM_ID(0x2A, Kind.U32, 4, 4),
    MAX_CONCURRENT_REQUESTS(0x2B, Kind.U32, 4, 4);

    /** Key of a named header: value = name length (u8), name (UTF-8), header value. */
    public static final int NAMED_HEADER = 0xFF;
    /** First application-defined opaque key. */
    public static final int APPLICATION_MIN = 0x80;
    /** Last application-defined opaque key. */
    public static final int APPLICATION_MAX = 0xFE;

    /** The shape of a key's value. */
    public enum Kind {
        UTF8, U8, U16, U32, BYTES,
        /** One byte max QoS (0-2), then the topic filter (UTF-8). */
        SUBSCRIPTION
    }

    private static final MetadataKey[] BY_WIRE = new MetadataKey[256];

    static {
        for (MetadataKey k : values()) {
            BY_WIRE[k.wire] = k;
        }
    }

    private final int wire;
    private final Kind kind;
    private final int minLength;
    private final int maxLength;

    MetadataKey(int wire, Kind kind, int minLength, int maxLength) {
        this.wire = wire;
        this.kind = kind;
        this.minLength = minLength;
        this.maxLength = maxLength;
    }

    /** The key byte on the wire. */
    public int wire() {
        return wire;
    }

    /** The shape of the value. */
    public Kind kind() {
        return kind;
    }

    /** Smallest legal value length in bytes. */
    public int minLength() {
        return minLength;
    }

    /** Largest legal value length in bytes. */
    public int maxLength() {
        return maxLength;
    }

    /** The defined key with wire value {@code wire}, or {@code null}. */
    public static MetadataKey fromWire(int wire) {
        return (wire & ~0xFF) == 0 ? BY_WIRE[wire] : null;
    }

    /**
     * Whether {@code key} may appear more than once in one frame of {@code type}: SUBSCRIPTION,
     * named headers, and TOPIC in UNSUBSCRIBE.
     */
    public static boolean mayRepeat(int key, FrameType type) {
        return key == SUBSCRIPTION.wire || key == NAMED_HEADER
                || (key == TOPIC.wire && type == FrameType.UNSUBSCRIBE);
    }

    /** A printable name for any key byte. */
    public static String nameOf(int key) {
        MetadataKey known = fromWire(key);
        if (known != null) {
            return known.name();
        }
        if (key == NAMED_HEADER) {
            return "HEADER";
        }
        if (key >= APPLICATION_MIN && key <= APPLICATION_MAX) {
            return String.format("APP(0x%02x)", key);
        }
        return String.format("UNKNOWN(0x%02x)", key);
    }
}
