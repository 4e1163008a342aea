package org.mcpjava.e2e;

import org.junit.jupiter.api.Test;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.broker.store.InMemorySessionStore;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.SessionRecord;
import org.mcpjava.broker.store.SessionStore;
import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.transport.internal.McpConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publishes that wait for the server's RECEIVE_WINDOW when the connection drops are kept by the
 * session and sent by the next connection, every one of them, in order.
 */
class WaitingPublishesResumeE2ETest {

    @Test
    void publishesWaitingForTheWindowSurviveAReconnect() throws Exception {
        HeldStore held = new HeldStore();
        try (Loopback loop = new Loopback()) {
            // A window of 2 whose acknowledgements never come: the store never commits.
            McpServer stuck = loop.server(McpServer.builder().receiveWindow(2)
                    .broker(BrokerOptions.builder().store(held).build()));
            loop.beforeClose(() -> held.gate.complete(null));
            ClientSession session = ClientSession.create(60);
            McpClient first = loop.client(stuck, b -> b.session(session));
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                // retained, so the broker waits for the store before it acknowledges
                acks.add(first.publish("held/t", 1, true, Payload.utf8("m" + i)));
            }
            await().atMost(Loopback.WAIT).until(() -> held.barriers == 2 && session.unacknowledgedCount() == 6); // 2 sent, the rest wait (all counted)
            ((McpConnection) stuck.connections().get(0)).closeNow();
            await().atMost(Loopback.WAIT).until(() -> !first.isActive());
            assertEquals(6, session.unacknowledgedCount(), "two sent, four waiting: all kept");

            McpServer healthy = loop.server(McpServer.builder());
            List<String> retained = new ArrayList<>();
            McpClient second = loop.client(healthy, b -> b.session(session));
            for (CompletableFuture<Void> f : acks) {
                f.get(Loopback.WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertEquals(0, session.unacknowledgedCount());
            McpClient reader = loop.client(healthy);
            reader.subscribe("held/#", 1, m -> retained.add(m.payloadAsString())).join();
            await().atMost(Loopback.WAIT).until(() -> retained.size() == 1);
            assertEquals(List.of("m5"), retained, "the last one published was the last one sent");
            assertTrue(second.isActive());
        }
    }

    /** The in-memory store, except that barriers complete only when the test opens the gate. */
    private static final class HeldStore implements SessionStore {
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
}
