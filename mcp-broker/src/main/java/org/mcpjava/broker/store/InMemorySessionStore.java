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
 * (one lock; the broker calls it outside its hot locks).
 */
public final class InMemorySessionStore implements SessionStore {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Map<ByteBuffer, Row> sessions = new HashMap<>();
    private final Map<String, StoredMessage> retained = new LinkedHashMap<>();

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
    public synchronized void saveSession(byte[] id, String clientId, String owner, long expirySeconds, long nextPacketId) {
        Row r = row(id);
        r.clientId = clientId;
        r.owner = owner;
        r.expirySeconds = expirySeconds;
        r.nextPacketId = nextPacketId;
    }

    @Override
    public synchronized void markDisconnected(byte[] id, long at) {
        Row r = sessions.get(ByteBuffer.wrap(id));
        if (r != null) {
            r.disconnectedAt = at;
        }
    }

    @Override
    public synchronized void deleteSession(byte[] id) {
        sessions.remove(ByteBuffer.wrap(id));
    }

    @Override
    public synchronized void saveSubscription(byte[] id, String filter, int maxQos) {
        row(id).subscriptions.put(filter, maxQos);
    }

    @Override
    public synchronized void deleteSubscription(byte[] id, String filter) {
        Row r = sessions.get(ByteBuffer.wrap(id));
        if (r != null) {
            r.subscriptions.remove(filter);
        }
    }

    @Override
    public synchronized void addOutbound(byte[] id, OutboundEntry entry) {
        row(id).outbound.put(entry.sequence(), entry);
    }

    @Override
    public synchronized void updateOutbound(byte[] id, long sequence, long packetId, OutboundState state) {
        Row r = sessions.get(ByteBuffer.wrap(id));
        if (r != null) {
            r.outbound.computeIfPresent(sequence, (s, e) -> new OutboundEntry(s, packetId, state, e.message()));
        }
    }

    @Override
    public synchronized void removeOutbound(byte[] id, long sequence) {
        Row r = sessions.get(ByteBuffer.wrap(id));
        if (r != null) {
            r.outbound.remove(sequence);
        }
    }

    @Override
    public synchronized void addInboundQos2(byte[] id, long packetId) {
        row(id).inboundQos2.add(packetId);
    }

    @Override
    public synchronized void removeInboundQos2(byte[] id, long packetId) {
        Row r = sessions.get(ByteBuffer.wrap(id));
        if (r != null) {
            r.inboundQos2.remove(packetId);
        }
    }

    @Override
    public synchronized void putRetained(String topic, StoredMessage message) {
        if (message == null) {
            retained.remove(topic);
        } else {
            retained.put(topic, message);
        }
    }

    @Override
    public synchronized void group(Runnable body) {
        body.run(); // the monitor is reentrant: the group's mutations cannot interleave with others
    }

    @Override
    public CompletableFuture<Void> barrier() {
        return DONE;
    }

    @Override
    public void close() {
    }
}
