package org.mcpjava.core;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One established MCP connection, seen from either side. Both sides may call and notify the
 * other. All methods are thread-safe.
 */
public interface Connection {
    /**
     * Sends a REQUEST and completes with the reply, which the caller releases. Fails with
     * {@link McpException}: the peer's ERROR code, DEADLINE_EXCEEDED when {@code timeout} passes,
     * UNAVAILABLE if the connection is closing or lost, FRAME_TOO_LARGE / UNSUPPORTED_CODEC
     * without sending when the peer would refuse the frame.
     *
     * @param payload ownership passes to the library
     * @param timeout the deadline, sent as TIMEOUT_MS; {@code null} or zero for none
     */
    CompletableFuture<Payload> call(int opcode, Payload payload, Duration timeout);

    /** Sends a one-way NOTIFY. Completes when written; ownership of {@code payload} passes. */
    CompletableFuture<Void> notify(int opcode, Payload payload);

    /** Sends PING and completes with the round-trip time when PONG comes back. */
    CompletableFuture<Duration> ping();

    /** The 16-byte session id, as hex. */
    String sessionId();

    /** The remote address. */
    SocketAddress remoteAddress();

    /** Whether the connection is established and not closing. */
    boolean isActive();

    /** The smoothed round-trip time from the last PINGs, or {@code null} if none was measured. */
    Duration lastRoundTrip();

    /** Completes when the connection has closed. */
    CompletableFuture<Void> closeFuture();
}
