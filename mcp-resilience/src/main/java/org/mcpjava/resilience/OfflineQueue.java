package org.mcpjava.resilience;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a {@link ResilientClient} keeps the messages it accepted until the server acknowledges
 * them: the journal behind its outbox. The client appends every QoS 1/2 message (and every QoS 0
 * message accepted while disconnected) before sending it, removes it once acknowledged, expired or
 * dropped, and records its retry count; at start it {@link #recover() recovers} what an earlier
 * run (or an earlier client on the same queue) left, and sends that first, in order.
 *
 * <p>Bounds and the overflow policy are the client's ({@link ResilientClient.Builder#queueCapacity}),
 * so an implementation only stores. Implementations: {@link SqliteOfflineQueue} (a file; survives a
 * killed process) and {@link InMemoryOfflineQueue} (survives only the client, within one process).
 *
 * <p><b>Contract.</b> Thread-safe; {@link #append}, {@link #remove} and {@link #attempts} are called
 * in the order of the events they record and should not block (an implementation may block briefly
 * for backpressure). They may be applied later (write-behind), but in that order; {@link #flush()}
 * completes once everything recorded before it is durable. One client uses a queue at a time.
 */
public interface OfflineQueue extends AutoCloseable {
    /** The messages recorded and not removed, in sequence order. Called once, before any append. */
    List<QueuedMessage> recover();

    /** Records a newly accepted message; its sequence is larger than any recorded before. */
    void append(QueuedMessage message);

    /** Forgets message {@code sequence} (acknowledged, expired or dropped). Unknown sequences are ignored. */
    void remove(long sequence);

    /** Records the retry count of message {@code sequence}. Unknown sequences are ignored. */
    void attempts(long sequence, int attempts);

    /** Completes when everything recorded before this call is durable (at once for memory). */
    CompletableFuture<Void> flush();

    /** Makes what was recorded durable and releases the storage. */
    @Override
    void close();
}
