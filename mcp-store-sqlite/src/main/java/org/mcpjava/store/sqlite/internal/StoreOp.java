package org.mcpjava.store.sqlite.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One entry of the writer's queue: a {@link Mutation} applied inside a batch transaction, or a
 * control entry that someone waits on. Entries are immutable and own their arrays (the store copies
 * what the caller may reuse before it enqueues).
 */
public sealed interface StoreOp permits StoreOp.Mutation, StoreOp.Group, StoreOp.Barrier, StoreOp.Read, StoreOp.Close {

    /** A change applied in the writer's current transaction. */
    non-sealed interface Mutation extends StoreOp {
        /** Applies the change with the writer's statements (writer thread only). */
        void apply(Statements st) throws SQLException;
    }

    /**
     * Mutations (and barriers) made inside one {@code SessionStore.group}: applied in order inside a
     * single transaction, never split across batches nor interleaved with other operations.
     *
     * @param ops {@link Mutation}s and {@link Barrier}s only
     */
    record Group(List<StoreOp> ops) implements StoreOp {
        /** Validates that {@code ops} holds only mutations and barriers. */
        public Group {
            for (StoreOp op : ops) {
                if (!(op instanceof Mutation) && !(op instanceof Barrier)) {
                    throw new IllegalArgumentException("a group holds mutations and barriers only: " + op);
                }
            }
        }
    }

    /** Completes {@code future} once every mutation queued before it is committed. */
    record Barrier(CompletableFuture<Void> future) implements StoreOp {
    }

    /**
     * Runs {@code query} on the writer's connection once everything queued before it is committed,
     * and completes {@code future} with its result (on the writer thread).
     */
    record Read<T>(Query<T> query, CompletableFuture<T> future) implements StoreOp {
        void run(Connection conn) {
            try {
                future.complete(query.run(conn));
            } catch (SQLException | RuntimeException e) {
                future.completeExceptionally(e);
            }
        }
    }

    /** The last entry: commit, close the connection and stop the writer. */
    record Close() implements StoreOp {
    }

    /** A read on the writer's connection. */
    @FunctionalInterface
    interface Query<T> {
        /** Reads with {@code conn}; must leave no transaction open. */
        T run(Connection conn) throws SQLException;
    }
}
