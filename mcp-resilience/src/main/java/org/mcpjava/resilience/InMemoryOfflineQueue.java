package org.mcpjava.resilience;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link OfflineQueue} in memory: what the client has not delivered outlives the client (a new
 * client given the same instance sends it) but not the process. The client's default.
 * Thread-safe.
 */
public final class InMemoryOfflineQueue implements OfflineQueue {
    private final LinkedHashMap<Long, QueuedMessage> messages = new LinkedHashMap<>();

    /** An empty queue. */
    public InMemoryOfflineQueue() {
    }

    @Override
    public synchronized List<QueuedMessage> recover() {
        return new ArrayList<>(messages.values());
    }

    @Override
    public synchronized void append(QueuedMessage message) {
        messages.put(message.sequence(), message);
    }

    @Override
    public synchronized void remove(long sequence) {
        messages.remove(sequence);
    }

    @Override
    public synchronized void attempts(long sequence, int attempts) {
        messages.computeIfPresent(sequence, (k, m) -> m.withAttempts(attempts));
    }

    @Override
    public CompletableFuture<Void> flush() {
        return CompletableFuture.completedFuture(null);
    }

    /** Messages held. */
    public synchronized int size() {
        return messages.size();
    }

    /** Nothing to release: the messages stay for a later client. */
    @Override
    public void close() {
    }
}
