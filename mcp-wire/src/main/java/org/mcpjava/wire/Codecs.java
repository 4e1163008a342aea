package org.mcpjava.wire;

/** The payload codec ids of the frame header's codec byte (offset 5). */
public final class Codecs {
    /** Raw bytes; also the value when a frame has no payload. */
    public static final int RAW = 0;
    /** JSON text, UTF-8. */
    public static final int JSON = 1;
    /** Protocol Buffers. */
    public static final int PROTOBUF = 2;
    /** MessagePack. */
    public static final int MSGPACK = 3;
    /** First application-defined id (128-255); 4-127 are reserved. */
    public static final int APPLICATION_MIN = 128;

    private Codecs() {
    }

    /** A printable name for a codec id. */
    public static String nameOf(int id) {
        switch (id) {
            case RAW:
                return "raw";
            case JSON:
                return "json";
            case PROTOBUF:
                return "protobuf";
            case MSGPACK:
                return "msgpack";
            default:
                return id >= APPLICATION_MIN ? "app(" + id + ")" : "reserved(" + id + ")";
        }
    }
}
