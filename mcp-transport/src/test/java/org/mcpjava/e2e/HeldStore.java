package org.mcpjava.e2e;

import org.mcpjava.broker.store.InMemorySessionStore;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.SessionRecord;
import org.mcpjava.broker.store.SessionStore;
import org.mcpjava.broker.store.StoredMessage;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The in-memory store, except that barriers complete only when the test opens the gate. */
final class HeldStore implements SessionStore {
    final InMemorySessionStore delegate = new InMemorySessionStore();
    final CompletableFuture<Void> gate = new CompletableFuture<>();
    volatile int barriers;

    @Override
    public List<SessionRecord> load() {
        return delegate.load();
    }

    @Override
    public Map<String, StoredMessage> loadRetained() {
        return delegate.loadRetained();
    }

    @Override
    public void saveSession(byte[] sessionId, String clientId, String owner, long expirySeconds, long nextPacketId) {
        delegate.saveSession(sessionId, clientId, owner, expirySeconds, nextPacketId);
    }

    @Override
    public void markDisconnected(byte[] sessionId, long disconnectedAtMillis) {
        delegate.markDisconnected(sessionId, disconnectedAtMillis);
    }

    @Override
    public void deleteSession(byte[] sessionId) {
        delegate.deleteSession(sessionId);
    }

    @Override
    public void saveSubscription(byte[] sessionId, String filter, int maxQos) {
        delegate.saveSubscription(sessionId, filter, maxQos);
    }

    @Override
    public void deleteSubscription(byte[] sessionId, String filter) {
        delegate.deleteSubscription(sessionId, filter);
    }

    @Override
    public void addOutbound(byte[] sessionId, OutboundEntry entry) {
        delegate.addOutbound(sessionId, entry);
    }

    @Override
    public void updateOutbound(byte[] sessionId, long sequence, long packetId, OutboundState state) {
        delegate.updateOutbound(sessionId, sequence, packetId, state);
    }

    @Override
    public void removeOutbound(byte[] sessionId, long sequence) {
        delegate.removeOutbound(sessionId, sequence);
    }

    @Override
    public void addInboundQos2(byte[] sessionId, long packetId) {
        delegate.addInboundQos2(sessionId, packetId);
    }

    @Override
    public void removeInboundQos2(byte[] sessionId, long packetId) {
        delegate.removeInboundQos2(sessionId, packetId);
    }

    @Override
    public void putRetained(String topic, StoredMessage message) {
        delegate.putRetained(topic, message);
    }

    @Override
    public void group(Runnable body) {
        delegate.group(body);
    }

    @Override
    public CompletableFuture<Void> barrier() {
        barriers++;
        return gate;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
