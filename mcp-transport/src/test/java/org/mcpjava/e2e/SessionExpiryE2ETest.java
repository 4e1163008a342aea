package org.mcpjava.e2e;

import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.broker.Broker;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.broker.Session;
import org.mcpjava.broker.store.InMemorySessionStore;
import org.mcpjava.broker.store.SessionRecord;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.transport.internal.ClientConnection;
import org.mcpjava.wire.MetadataKey;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Session expiry (spec 8): a disconnected durable session is kept, with its subscriptions and
 * queued messages, for SESSION_EXPIRY_S on the broker's wall clock (moved by hand here) and then
 * removed from memory and store; SESSION_EXPIRY_S 0 ends the session with its connection.
 */
class SessionExpiryE2ETest {
    /** Far from zero, like {@link ManualTicker}. */
    private final AtomicLong wallClock = new AtomicLong(1_700_000_000_000L);
    private final InMemorySessionStore store = new InMemorySessionStore();
    private final Loopback loop = new Loopback();
    private McpServer server;
    private Broker broker;

    @BeforeEach
    void start() {
        server = loop.server(McpServer.builder().broker(BrokerOptions.builder()
                .store(store)
                .wallClock(wallClock::get)
                .maxSessionExpirySeconds(3600)
                .build()));
        broker = server.broker();
    }

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    private void advance(Duration by) {
        wallClock.addAndGet(by.toMillis());
    }

    private List<String> storedSessionIds() {
        return store.load().stream().map(r -> ByteBufUtil.hexDump(r.sessionId())).toList();
    }

    @Test
    void disconnectedDurableSessionExpiresOnTheWallClock() {
        ClientSession durable = ClientSession.create(60);
        McpClient sub = loop.client(server, b -> b.clientId("sub").session(durable));
        McpClient.await(sub.subscribe("exp/#", 1, m -> { }));
        String id = durable.sessionIdHex();
        sub.close();
        Session session = broker.session(id);
        await().atMost(Loopback.WAIT).until(() -> !session.isAttached());
        // Kept while disconnected: subscriptions and the messages queued for it, in memory and in the store.
        McpClient pub = loop.client(server, b -> b.clientId("pub"));
        McpClient.await(pub.publish("exp/1", 1, false, Payload.utf8("queued while away")));
        assertEquals(1, session.backlog());
        assertEquals(List.of(id), storedSessionIds());
        SessionRecord stored = store.load().get(0);
        assertEquals(Map.of("exp/#", 1), stored.subscriptions());
        assertEquals(1, stored.outbound().size());
        assertEquals(60, stored.expirySeconds());
        assertEquals(wallClock.get(), stored.disconnectedAtMillis(), "stamped with the broker's clock");

        advance(Duration.ofSeconds(59));
        assertEquals(0, broker.expireSessions(), "not yet");
        assertEquals(2, broker.sessionCount());

        advance(Duration.ofSeconds(2));
        // The broker's own once-a-second sweep may get there first; either way it is gone once.
        broker.expireSessions();
        await().atMost(Loopback.WAIT).until(() -> broker.sessionCount() == 1);
        assertNull(broker.session(id));
        assertEquals(List.of(), storedSessionIds(), "removed from the store too");
        assertEquals(1, broker.stats().sessionsExpired.sum());

        // Resuming it now starts afresh: a new session, without the old subscriptions or messages.
        Inbox inbox = new Inbox();
        McpClient back = loop.client(server, b -> b.clientId("sub").session(ClientSession.resume(id, 60))
                .messageListener(inbox));
        assertFalse(back.sessionPresent());
        assertNotEquals(id, back.sessionId());
        assertEquals(Map.of(), broker.session(back.sessionId()).subscriptions());
        long routed = broker.stats().routed[1].sum();
        McpClient.await(pub.publish("exp/2", 1, false, Payload.utf8("to no one")));
        assertEquals(routed, broker.stats().routed[1].sum(), "no subscription matched");
        McpClient.await(back.ping());
        assertEquals(0, inbox.size(), "the old queued message went with the session");
    }

    @Test
    void expiryRestartsWhenTheSessionIsResumedInTime() {
        ClientSession durable = ClientSession.create(60);
        loop.client(server, b -> b.clientId("sub").session(durable)).close();
        String id = durable.sessionIdHex();
        await().atMost(Loopback.WAIT).until(() -> !broker.session(id).isAttached());
        advance(Duration.ofSeconds(50));
        McpClient again = loop.client(server, b -> b.clientId("sub").session(durable));
        assertTrue(again.sessionPresent());
        advance(Duration.ofSeconds(3600));
        assertEquals(0, broker.expireSessions(), "an attached session never expires");
        again.close();
        await().atMost(Loopback.WAIT).until(() -> !broker.session(id).isAttached());
        advance(Duration.ofSeconds(59));
        assertEquals(0, broker.expireSessions(), "the 60 s count from the last disconnect");
        advance(Duration.ofSeconds(1));
        broker.expireSessions();
        await().atMost(Loopback.WAIT).until(() -> broker.session(id) == null);
    }

    @Test
    void zeroExpiryEndsTheSessionWithItsConnection() throws Exception {
        McpClient graceful = loop.client(server, b -> b.clientId("g"));
        McpClient.await(graceful.subscribe("zero/#", 1, m -> { }));
        String gracefulId = graceful.sessionId();
        assertEquals(0, broker.session(gracefulId).expirySeconds());
        McpClient abrupt = loop.client(server, b -> b.clientId("a"));
        McpClient.await(abrupt.subscribe("zero/#", 1, m -> { }));
        assertEquals(2, broker.sessionCount());
        assertEquals(List.of(), storedSessionIds(), "sessions that end with their connection are never stored");

        graceful.close();
        ((ClientConnection) abrupt.connection()).closeNow();
        await().atMost(Loopback.WAIT).until(() -> broker.sessionCount() == 0);
        McpClient back = loop.client(server, b -> b.clientId("g").session(ClientSession.resume(gracefulId, 0)));
        assertFalse(back.sessionPresent(), "nothing to resume");
        assertEquals(0, broker.stats().sessionsExpired.sum(), "ended, not expired");
    }

    @Test
    void grantedExpiryIsCappedAndAnnouncedInWelcome() throws Exception {
        RawPubSub raw = new RawPubSub(loop.raw(server));
        RawFrame welcome = raw.handshake(0, 7 * 24 * 3600, null);
        assertEquals(3600, welcome.number(MetadataKey.SESSION_EXPIRY_S), "capped by maxSessionExpirySeconds");
        assertEquals(0, welcome.number(MetadataKey.SESSION_PRESENT));
        assertEquals(3600, broker.sessions().iterator().next().expirySeconds());
    }
}
