package org.mcpjava.resilience;

/**
 * One transition of a client's {@link ClientState}.
 *
 * @param previous the state before
 * @param current  the state now
 * @param endpoint the endpoint the change concerns: the one connected to (CONNECTED), the one lost
 *                 (RECONNECTING); {@code null} otherwise
 * @param cause    why a connection was lost or replaced, or why the server ended the client (CLOSED
 *                 with the server's {@link org.mcpjava.core.McpException}: a terminal refusal, or
 *                 SESSION_TAKEN_OVER); {@code null} otherwise, and when the application closed it
 */
public record StateChange(ClientState previous, ClientState current, Endpoint endpoint, Throwable cause) {
}
