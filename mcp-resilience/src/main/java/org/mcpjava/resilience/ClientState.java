package org.mcpjava.resilience;

/**
 * The state of a {@link ResilientClient} (or, aggregated, of a {@link ConnectionPool}).
 *
 * <pre>
 * DISCONNECTED --start--> CONNECTING --connected--> CONNECTED --lost / GOAWAY / unhealthy--> RECONNECTING
 *                                                       ^                                       |
 *                                                       +---------------connected---------------+
 * any state --close--> CLOSED
 * </pre>
 *
 * CONNECTING covers every attempt until the first connection is up, RECONNECTING every attempt
 * after one was lost; failed attempts do not change the state.
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
    /** Closed by the application; final. */
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
