package org.mcpjava.transport.internal;

import io.netty.util.Timeout;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.wire.ErrorCode;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The future of an outbound REQUEST. Cancelling it sends CANCEL to the peer. Completed on the
 * connection's event loop. A request decorated with metadata reports its outcome to the decorator
 * ({@link org.mcpjava.core.OutboundDecorator#completed}) once, before the future completes.
 */
final class PendingCall extends CompletableFuture<Payload> {
    private static final AtomicIntegerFieldUpdater<PendingCall> REPORTED =
            AtomicIntegerFieldUpdater.newUpdater(PendingCall.class, "reported");

    private final McpConnection connection;
    long streamId;
    int opcode;
    Timeout deadline;
    /** When the REQUEST was written (ticker nanos), for the observer's latency. */
    long sentNanos;
    /** What the decorator added to the REQUEST, or {@code null}: handed back when the call finishes. */
    Map<Integer, String> metadata;
    private volatile int reported;

    PendingCall(McpConnection connection) {
        this.connection = connection;
    }

    @Override
    public boolean complete(Payload value) {
        report(0);
        return super.complete(value);
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        report(codeOf(ex));
        return super.completeExceptionally(ex);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        report(ErrorCode.CANCELLED.code());
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            connection.cancelCall(this);
        }
        return cancelled;
    }

    private void report(int code) {
        Map<Integer, String> m = metadata;
        if (m != null && !isDone() && REPORTED.compareAndSet(this, 0, 1)) {
            try {
                connection.settings().decorator().completed(m, code);
            } catch (RuntimeException e) {
                // A decorator must not throw; one that does must not keep the caller's future from completing.
            }
        }
    }

    private static int codeOf(Throwable ex) {
        McpException mcp = McpException.find(McpConnection.unwrap(ex));
        return mcp != null ? mcp.code() : ErrorCode.INTERNAL.code();
    }
}
