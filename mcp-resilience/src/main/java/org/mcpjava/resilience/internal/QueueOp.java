package org.mcpjava.resilience.internal;

import org.mcpjava.resilience.QueuedMessage;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One request to the {@link QueueWriter}: a mutation, a barrier, a read, or the end. */
public sealed interface QueueOp {
    /** Insert a message. */
    record Append(QueuedMessage message) implements QueueOp {
    }

    /** Delete a message. */
    record Remove(long sequence) implements QueueOp {
    }

    /** Update a message's retry count. */
    record Attempts(long sequence, int attempts) implements QueueOp {
    }

    /** Complete {@code done} once everything before is committed. */
    record Barrier(CompletableFuture<Void> done) implements QueueOp {
    }

    /** Read every message, after everything before. */
    record Recover(CompletableFuture<List<QueuedMessage>> result) implements QueueOp {
    }

    /** Commit what is left and stop. */
    record Close() implements QueueOp {
    }
}
