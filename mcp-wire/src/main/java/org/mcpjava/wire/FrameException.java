package org.mcpjava.wire;

/**
 * A frame violates MCP/1. Carries the spec's error code that the receiver sends (ERROR on stream 0
 * or GOAWAY) before it closes the connection. After a framing error the byte stream cannot be
 * trusted, so the connection must not be read further.
 */
public final class FrameException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;

    /**
     * @param errorCode the code to send to the peer
     * @param message what was wrong, with the offending value
     */
    public FrameException(ErrorCode errorCode, String message) {
        super(errorCode.name() + ": " + message, null, false, false);
        this.errorCode = errorCode;
    }

    /** The spec's code for this violation. */
    public ErrorCode errorCode() {
        return errorCode;
    }
}
