package org.mcpjava.resilience;

/**
 * The state of a {@link ResilientClient} (or, aggregated, of a {@link ConnectionPool}).
 *
 * <pre>
 * DISCONNECTED --start--> CONNECTING --connected--> CONNECTED --lost / GOAWAY / unhealthy--> RECONNECTING
 *                                                       ^                                       |
 *                                                       +---------------connected---------------+
 * any state --close--> CLOSED
 * CONNECTING / RECONNECTING --refused for good by every endpoint--> CLOSED
 * CONNECTED --GOAWAY(SESSION_TAKEN_OVER)--> CLOSED
 * </pre>
 *
 * CONNECTING covers every attempt until the first connection is up, RECONNECTING every attempt
 * after one was lost; failed attempts do not change the state. A client the server ended (a
 * terminal refusal, see {@link ClientBuilderBase#terminalRefusals}, or its session taken over) is
 * CLOSED with the server's {@link org.mcpjava.core.McpException} as the {@link StateChange#cause()}.
 */
public enum ClientState {
    /** Built, not started. */
    DISCONNECTED,
    /** Started: dialing (or waiting to dial again) for the first connection. */
    CONNECTING,
    /** A connection is established and takes calls and publishes. */
    CONNECTED,
    /** The connection was lost (or is being replaced): dialing, or waiting to dial again. */
    RECONNECTING,
    /**
     * Closed by the application, or ended by the server (the change's cause says which); final.
     * The application still calls {@code close()} to release what the client holds.
     */
    CLOSED;

    /** Whether moving from this state to {@code next} is allowed. */
    public boolean canMoveTo(ClientState next) {
        switch (this) {
            case DISCONNECTED:
                return next == CONNECTING || next == CLOSED;
            case CONNECTING:
            case RECONNECTING:
                return next == CONNECTED || next == CLOSED;
            case CONNECTED:
                return next == RECONNECTING || next == CLOSED;
            default:
                return false;
        }
    }
}
