package org.mcpjava.transport.internal;

/**
 * The MCP/1 connection states and their legal transitions:
 * NEW -> HANDSHAKING -> ESTABLISHED -> CLOSING -> CLOSED.
 *
 * <p>Two more edges are legal here because the spec itself requires them: a failed handshake
 * (bad AUTH, timeout, a protocol error) goes to CLOSING from NEW or HANDSHAKING, and a lost
 * transport goes to CLOSED from any state. A frame that would cause any other transition is a
 * PROTOCOL_ERROR; see {@link #canMoveTo(ConnectionState)}.
 */
public enum ConnectionState {
    NEW, HANDSHAKING, ESTABLISHED, CLOSING, CLOSED;

    /** Whether moving from this state to {@code next} is legal. */
    public boolean canMoveTo(ConnectionState next) {
        switch (this) {
            case NEW:
                return next == HANDSHAKING || next == CLOSING || next == CLOSED;
            case HANDSHAKING:
                return next == ESTABLISHED || next == CLOSING || next == CLOSED;
            case ESTABLISHED:
                return next == CLOSING || next == CLOSED;
            case CLOSING:
                return next == CLOSED;
            default:
                return false;
        }
    }
}
