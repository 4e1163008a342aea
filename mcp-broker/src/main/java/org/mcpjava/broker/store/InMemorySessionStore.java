package org.mcpjava.broker.store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link SessionStore} in memory: sessions survive their connections but not the process.
 * Every mutation is "durable" at once, so {@link #barrier()} is always complete. Thread-safe
 * (one lock, held only while a mutation or a {@link #group}'s mutations are applied, never while
 * calling out).
 */
public final class InMemorySessionStore implements SessionStore {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Map<ByteBuffer, Row> sessions = new HashMap<>();
    private final Map<String, StoredMessage> retained = new LinkedHashMap<>();
    /** The mutations of the calling thread's open {@link #group}, or null outside one. */
    private final ThreadLocal<List<Runnable>> openGroup = new ThreadLocal<>();

    private static final class Row {
        String clientId;
        String owner;
        long expirySeconds;
        long nextPacketId;
        long disconnectedAt;
        final Map<String, Integer> subscriptions = new LinkedHashMap<>();
        final TreeMap<Long, OutboundEntry> outbound = new TreeMap<>();
        final HashSet<Long> inboundQos2 = new HashSet<>();
    }

    private static ByteBuffer key(byte[] id) {
        return ByteBuffer.wrap(id.clone());
    }

    private Row row(byte[] id) {
        return sessions.computeIfAbsent(key(id), k -> new Row());
    }

    @Override
    public synchronized List<SessionRecord> load() {
        List<SessionRecord> out = new ArrayList<>();
        sessions.forEach((k, r) -> {
            byte[] id = new byte[k.remaining()];
            k.duplicate().get(id);
            out.add(new SessionRecord(id, r.clientId, r.owner, r.expirySeconds, r.disconnectedAt,
                    new LinkedHashMap<>(r.subscriptions), new ArrayList<>(r.outbound.values()),
                    new HashSet<>(r.inboundQos2), r.nextPacketId));
        });
        return out;
    }

    @Override
    public synchronized Map<String, StoredMessage> loadRetained() {
        return new LinkedHashMap<>(retained);
    }

    @Override
    public void saveSession(byte[] id, String clientId, String owner, long expirySeconds, long nextPacketId) {
        byte[] k = id.clone();
        mutate(() -> {
            Row r = row(k);
            r.clientId = clientId;
            r.owner = owner;
            r.expirySeconds = expirySeconds;
            r.nextPacketId = nextPacketId;
        });
    }

    @Override
    public void markDisconnected(byte[] id, long at) {
        byte[] k = id.clone();
        mutate(() -> {
            Row r = sessions.get(ByteBuffer.wrap(k));
            if (r != null) {
                r.disconnectedAt = at;
            }
        });
    }

    @Override
    public void deleteSession(byte[] id) {
        byte[] k = id.clone();
        mutate(() -> sessions.remove(ByteBuffer.wrap(k)));
    }

    @Override
    public void saveSubscription(byte[] id, String filter, int maxQos) {
        byte[] k = id.clone();
        mutate(() -> row(k).subscriptions.put(filter, maxQos));
    }

    @Override
    public void deleteSubscription(byte[] id, String filter) {
        byte[] k = id.clone();
        mutate(() -> {
            Row r = sessions.get(ByteBuffer.wrap(k));
            if (r != null) {
                r.subscriptions.remove(filter);
            }
        });
    }

    @Override
    public void addOutbound(byte[] id, OutboundEntry entry) {
        byte[] k = id.clone();
        mutate(() -> row(k).outbound.put(entry.sequence(), entry));
    }

    @Override
    public void updateOutbound(byte[] id, long sequence, long packetId, OutboundState state) {
        byte[] k = id.clone();
        mutate(() -> {
            Row r = sessions.get(ByteBuffer.wrap(k));
            if (r != null) {
                r.outbound.computeIfPresent(sequence, (s, e) -> new OutboundEntry(s, packetId, state, e.message()));
            }
        });
    }

    @Override
    public void removeOutbound(byte[] id, long sequence) {
        byte[] k = id.clone();
        mutate(() -> {
            Row r = sessions.get(ByteBuffer.wrap(k));
            if (r != null) {
                r.outbound.remove(sequence);
            }
        });
    }

    @Override
    public void addInboundQos2(byte[] id, long packetId) {
        byte[] k = id.clone();
        mutate(() -> row(k).inboundQos2.add(packetId));
    }

    @Override
    public void removeInboundQos2(byte[] id, long packetId) {
        byte[] k = id.clone();
        mutate(() -> {
            Row r = sessions.get(ByteBuffer.wrap(k));
            if (r != null) {
                r.inboundQos2.remove(packetId);
            }
        });
    }

    @Override
    public void putRetained(String topic, StoredMessage message) {
        mutate(() -> {
            if (message == null) {
                retained.remove(topic);
            } else {
                retained.put(topic, message);
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>The mutations {@code body} makes on the calling thread are collected and applied together,
     * under the store's lock, when it returns (like the SQLite store queues them as one unit). The
     * lock is not held while {@code body} runs: the broker calls into sessions from it, and sessions
     * call the store while holding their own locks, so holding ours here would invert the lock order
     * (session, then store) and deadlock.
     */
    @Override
    public void group(Runnable body) {
        if (openGroup.get() != null) {
            body.run(); // nested: joins the outer group
            return;
        }
        List<Runnable> ops = new ArrayList<>();
        openGroup.set(ops);
        try {
            body.run();
        } finally {
            openGroup.remove();
            synchronized (this) {
                ops.forEach(Runnable::run);
            }
        }
    }

    /** Applies a mutation now, or adds it to the calling thread's open {@link #group}. */
    private void mutate(Runnable mutation) {
        List<Runnable> group = openGroup.get();
        if (group != null) {
            group.add(mutation);
        } else {
            synchronized (this) {
                mutation.run();
            }
        }
    }

    @Override
    public CompletableFuture<Void> barrier() {
        return DONE;
    }

    @Override
    public void close() {
    }
}
