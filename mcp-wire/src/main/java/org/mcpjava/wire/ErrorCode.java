package org.mcpjava.wire;

/**
 * The MCP/1 error codes (u16) carried in ERROR_CODE metadata of ERROR, GOAWAY and NACK frames.
 * Codes 0x8000-0xFFFF are application-defined and have no constant here; see {@link #nameOf(int)}.
 */
public enum ErrorCode {
    NO_ERROR(0),
    PROTOCOL_ERROR(1),
    UNSUPPORTED_VERSION(2),
    FRAME_TOO_LARGE(3),
    CHECKSUM_MISMATCH(4),
    UNAUTHENTICATED(5),
    PERMISSION_DENIED(6),
    NOT_FOUND(7),
    DEADLINE_EXCEEDED(8),
    CANCELLED(9),
    OVERLOADED(10),
    INVALID_PAYLOAD(11),
    INTERNAL(12),
    UNAVAILABLE(13),
    SESSION_NOT_FOUND(14),
    KEEPALIVE_TIMEOUT(15),
    UNSUPPORTED_CODEC(16),
    TOPIC_INVALID(17),
    QUOTA_EXCEEDED(18),
    SESSION_TAKEN_OVER(19);

    /** First application-defined code. */
    public static final int APPLICATION_MIN = 0x8000;

    private static final ErrorCode[] BY_CODE = values();

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** The u16 value on the wire. */
    public int code() {
        return code;
    }

    /** The constant for {@code code}, or {@code null} for an application-defined or unknown code. */
    public static ErrorCode fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * A printable name for any u16 code: the constant's name, {@code APPLICATION(0x8001)} for
     * application codes, or {@code UNKNOWN(42)} for codes MCP/1 reserves but does not define.
     */
    public static String nameOf(int code) {
        ErrorCode known = fromCode(code);
        if (known != null) {
            return known.name();
        }
        if (code >= APPLICATION_MIN && code <= 0xFFFF) {
            return String.format("APPLICATION(0x%04x)", code);
        }
        return "UNKNOWN(" + code + ")";
    }
}
