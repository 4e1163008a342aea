package org.mcpjava.transport.internal;

import io.netty.util.Timeout;
import org.mcpjava.core.Payload;

import java.util.concurrent.CompletableFuture;

/**
 * The future of an outbound REQUEST. Cancelling it sends CANCEL to the peer. Completed on the
 * connection's event loop.
 */
final class PendingCall extends CompletableFuture<Payload> {
    private final McpConnection connection;
    long streamId;
    int opcode;
    Timeout deadline;
    /** When the REQUEST was written (ticker nanos), for the observer's latency. */
    long sentNanos;

    PendingCall(McpConnection connection) {
        this.connection = connection;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            connection.cancelCall(this);
        }
        return cancelled;
    }
}
