package org.mcpjava.core;

import org.mcpjava.wire.ErrorCode;

/**
 * A failure with an MCP/1 error code: what a peer answered (ERROR, NACK, GOAWAY) or what this side
 * decided (a deadline passed, the connection was lost). Handlers throw it to answer with a
 * specific code; any other exception answers INTERNAL.
 */
public class McpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;

    /** @param code a defined error code */
    public McpException(ErrorCode code, String message) {
        this(code.code(), message, null);
    }

    /** @param code a defined error code */
    public McpException(ErrorCode code, String message, Throwable cause) {
        this(code.code(), message, cause);
    }

    /** @param code any u16 code, including application codes 0x8000-0xFFFF */
    public McpException(int code, String message, Throwable cause) {
        super(message, cause);
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("error code must be a u16: " + code);
        }
        this.code = code;
    }

    /** The u16 error code. */
    public int code() {
        return code;
    }

    /** The code as a constant, or {@code null} for an application code. */
    public ErrorCode errorCode() {
        return ErrorCode.fromCode(code);
    }

    /** The code's name, e.g. {@code DEADLINE_EXCEEDED} or {@code APPLICATION(0x8001)}. */
    public String codeName() {
        return ErrorCode.nameOf(code);
    }

    @Override
    public String getMessage() {
        String m = super.getMessage();
        return codeName() + (m == null || m.isEmpty() ? "" : ": " + m);
    }

    /** The message the peer sent (or this side set), without the code's name. */
    public String detail() {
        return super.getMessage();
    }

    /** Whether {@code t} (or a cause of it) is an McpException with {@code code}. */
    public static boolean hasCode(Throwable t, ErrorCode code) {
        McpException e = find(t);
        return e != null && e.code == code.code();
    }

    /** The first McpException in {@code t}'s cause chain, or {@code null}. */
    public static McpException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof McpException) {
                return (McpException) c;
            }
        }
        return null;
    }
}
