package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.broker.BrokerStats;
import org.mcpjava.broker.Session;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flow control of publish/subscribe (spec 8, "Window"): the server keeps within a subscriber's
 * RECEIVE_WINDOW, retries a PUBLISH refused with NACK(OVERLOADED) with DUP after a backoff and drops
 * one refused with any other code; a subscriber's full queue pushes back on QoS 1/2 publishers
 * (NACK(OVERLOADED), retried by the client until it fits) and drops QoS 0, so a slow subscriber
 * never holds more than its queue bound plus its window.
 */
class FlowControlE2ETest {
    private final Loopback loop = new Loopback();

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    private static Session sessionWith(McpServer server, String filter) {
        return server.broker().sessions().stream()
                .filter(s -> s.subscriptions().containsKey(filter))
                .findFirst().orElseThrow(() -> new AssertionError("no session subscribed to " + filter));
    }

    private static List<CompletableFuture<Void>> publishAll(McpClient pub, String topic, int qos, String... texts) {
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (String t : texts) {
            sent.add(pub.publish(topic, qos, false, Payload.utf8(t)));
        }
        return sent;
    }

    private static void awaitAll(List<CompletableFuture<Void>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
    }

    @Test
    void serverKeepsWithinTheSubscribersReceiveWindow() throws Exception {
        McpServer server = loop.server(McpServer.builder());
        RawPubSub sub = new RawPubSub(loop.raw(server));
        sub.handshake(4, 0, null);
        sub.subscribe(Map.of("win/#", 1));
        Session session = sessionWith(server, "win/#");
        McpClient pub = loop.client(server, b -> b.clientId("pub"));
        String[] texts = new String[10];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = "m" + i;
        }
        // Acknowledged to the publisher once routed: from here on the server has decided what it sends.
        awaitAll(publishAll(pub, "win/x", 1, texts));
        assertEquals(4, session.inflightCount(), "RECEIVE_WINDOW 4");
        assertEquals(10, session.backlog());

        ArrayDeque<Long> outstanding = new ArrayDeque<>();
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            RawFrame p = sub.expectPublish("win/x", texts[i]);
            assertEquals(1, RawPubSub.qos(p));
            assertTrue(ids.add(p.streamId), "packet ids are distinct while unacknowledged");
            outstanding.add(p.streamId);
        }
        sub.expectNothingPending(1);

        // Each PUBACK opens the window for exactly one more.
        for (int i = 4; i < texts.length; i++) {
            sub.ack(FrameType.PUBACK, outstanding.poll());
            RawFrame p = sub.expectPublish("win/x", texts[i]);
            outstanding.add(p.streamId);
            int queued = texts.length - i - 1;
            await().atMost(Loopback.WAIT).until(() -> session.backlog() == 4 + queued);
            assertEquals(4, session.inflightCount());
            sub.expectNothingPending(i);
        }
        while (!outstanding.isEmpty()) {
            sub.ack(FrameType.PUBACK, outstanding.poll());
        }
        await().atMost(Loopback.WAIT).until(() -> session.backlog() == 0);
        sub.expectNothingPending(99);
    }

    @Test
    void nackOverloadedIsRetriedWithDupAfterABackoff() throws Exception {
        McpServer server = loop.server(McpServer.builder()
                .broker(BrokerOptions.builder().retryBackoff(10, 40).build()));
        BrokerStats stats = server.broker().stats();
        RawPubSub sub = new RawPubSub(loop.raw(server));
        sub.handshake(1, 0, null);
        sub.subscribe(Map.of("busy/#", 2));
        McpClient pub = loop.client(server, b -> b.clientId("pub"));
        awaitAll(publishAll(pub, "busy/1", 1, "first", "second"));
        awaitAll(publishAll(pub, "busy/2", 2, "third"));

        RawFrame first = sub.expectPublish("busy/1", "first");
        assertFalse(RawPubSub.dup(first));
        for (int attempt = 1; attempt <= 3; attempt++) {
            sub.nack(first.streamId, ErrorCode.OVERLOADED);
            RawFrame again = sub.expectPublish("busy/1", "first");
            assertTrue(RawPubSub.dup(again), "a retransmission carries DUP");
            assertEquals(first.streamId, again.streamId, "the same packet");
        }
        sub.ack(FrameType.PUBACK, first.streamId);
        RawFrame second = sub.expectPublish("busy/1", "second");
        assertFalse(RawPubSub.dup(second));
        assertNotEquals(first.streamId, second.streamId);
        sub.ack(FrameType.PUBACK, second.streamId);

        // QoS 2 the same way; the exchange then completes as usual.
        RawFrame third = sub.expectPublish("busy/2", "third");
        sub.nack(third.streamId, ErrorCode.OVERLOADED);
        RawFrame thirdAgain = sub.expectPublish("busy/2", "third");
        assertTrue(RawPubSub.dup(thirdAgain));
        assertEquals(third.streamId, thirdAgain.streamId);
        sub.ack(FrameType.PUBREC, third.streamId);
        sub.expect(FrameType.PUBREL, third.streamId);
        sub.ack(FrameType.PUBCOMP, third.streamId);

        Session session = sessionWith(server, "busy/#");
        await().atMost(Loopback.WAIT).until(() -> session.backlog() == 0);
        sub.expectNothingPending(3);
        assertEquals(4, stats.nacksReceived.sum());
        assertTrue(stats.retransmitted.sum() >= 4, "retransmitted " + stats.retransmitted.sum());
    }

    @Test
    void finalNackDropsTheMessage() throws Exception {
        McpServer server = loop.server(McpServer.builder()
                .broker(BrokerOptions.builder().retryBackoff(10, 40).build()));
        RawPubSub sub = new RawPubSub(loop.raw(server));
        sub.handshake(1, 0, null);
        sub.subscribe(Map.of("bad/#", 2));
        McpClient pub = loop.client(server, b -> b.clientId("pub"));
        awaitAll(publishAll(pub, "bad/1", 1, "refused", "next"));
        awaitAll(publishAll(pub, "bad/2", 2, "refused too", "last"));

        RawFrame refused = sub.expectPublish("bad/1", "refused");
        sub.nack(refused.streamId, ErrorCode.INVALID_PAYLOAD);
        RawFrame next = sub.expectPublish("bad/1", "next"); // not the refused one again
        assertFalse(RawPubSub.dup(next));
        sub.ack(FrameType.PUBACK, next.streamId);

        RawFrame refusedToo = sub.expectPublish("bad/2", "refused too");
        sub.nack(refusedToo.streamId, ErrorCode.UNSUPPORTED_CODEC);
        RawFrame last = sub.expectPublish("bad/2", "last");
        sub.ack(FrameType.PUBREC, last.streamId);
        sub.expect(FrameType.PUBREL, last.streamId);
        sub.ack(FrameType.PUBCOMP, last.streamId);

        Session session = sessionWith(server, "bad/#");
        await().atMost(Loopback.WAIT).until(() -> session.backlog() == 0);
        sub.expectNothingPending(5);
        assertEquals(2, server.broker().stats().nacksReceived.sum());
        assertEquals(0, server.broker().stats().retransmitted.sum());
    }

    @Test
    void fullQueueOfAnAbsentSubscriberPushesBackOnThePublisher() throws Exception {
        int maxQueued = 10;
        McpServer server = loop.server(McpServer.builder().broker(BrokerOptions.builder().maxQueuedPerSession(maxQueued).build()));
        BrokerStats stats = server.broker().stats();
        ClientSession durable = ClientSession.create(60);
        McpClient away = loop.client(server, b -> b.clientId("sub").session(durable));
        McpClient.await(away.subscribe("full/#", 2, m -> { }));
        away.close();
        Session session = server.broker().session(durable.sessionIdHex());
        await().atMost(Loopback.WAIT).until(() -> !session.isAttached());

        McpClient pub = loop.client(server, b -> b.clientId("pub"));
        List<String> texts = new ArrayList<>();
        List<CompletableFuture<Void>> fits = new ArrayList<>();
        for (int i = 0; i < maxQueued; i++) {
            texts.add("m" + i);
            fits.add(pub.publish("full/x", 1 + i % 2, false, Payload.utf8("m" + i)));
        }
        awaitAll(fits);
        assertEquals(maxQueued, session.backlog());

        texts.add("over-1");
        texts.add("over-2");
        CompletableFuture<Void> over1 = pub.publish("full/x", 1, false, Payload.utf8("over-1"));
        CompletableFuture<Void> over2 = pub.publish("full/x", 2, false, Payload.utf8("over-2"));
        // Refused (NACK OVERLOADED) and retried by the client with backoff: still pending, nothing lost.
        await().atMost(Loopback.WAIT).until(() -> stats.overloadNacks.sum() >= 4);
        assertFalse(over1.isDone(), "a QoS 1 publish refused with OVERLOADED is retried, not failed");
        assertFalse(over2.isDone(), "a QoS 2 publish refused with OVERLOADED is retried, not failed");
        assertEquals(maxQueued, session.backlog(), "the queue stayed at its bound");
        assertEquals(0, stats.droppedQueueFull.sum());

        Inbox inbox = new Inbox();
        McpClient back = loop.client(server, b -> b.clientId("sub").session(durable).messageListener(inbox));
        assertTrue(back.sessionPresent());
        awaitAll(List.of(over1, over2));
        await().atMost(Loopback.WAIT).until(() -> inbox.size() >= texts.size());
        assertEquals(new HashSet<>(texts), new HashSet<>(inbox.payloads()));
        assertEquals(texts.size(), inbox.size(), "each exactly once here (no disconnect in between)");
        assertEquals(texts.subList(0, maxQueued), inbox.payloads().subList(0, maxQueued), "the queue in order");
    }

    @Test
    void slowSubscriberNeverHoldsMoreThanItsQueueBoundPlusItsWindow() throws Exception {
        int maxQueued = 20;
        int window = 4;
        McpServer server = loop.server(McpServer.builder().broker(BrokerOptions.builder().maxQueuedPerSession(maxQueued).build()));
        BrokerStats stats = server.broker().stats();
        RawPubSub sub = new RawPubSub(loop.raw(server));
        sub.handshake(window, 0, null);
        sub.subscribe(Map.of("slow/#", 1));
        Session session = sessionWith(server, "slow/#");
        AtomicInteger maxBacklog = new AtomicInteger();
        Runnable sample = () -> maxBacklog.accumulateAndGet(session.backlog(), Math::max);

        // The subscriber reads nothing while a publisher sends QoS 0 and QoS 1 as fast as it can.
        McpClient pub = loop.client(server, b -> b.clientId("pub"));
        int total = 1000;
        Set<String> qos1 = new HashSet<>();
        List<CompletableFuture<Void>> qos0Sent = new ArrayList<>();
        List<CompletableFuture<Void>> qos1Sent = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            boolean reliable = i % 5 == 0;
            String text = (reliable ? "r" : "f") + i;
            CompletableFuture<Void> f = pub.publish(reliable ? "slow/q1" : "slow/q0", reliable ? 1 : 0, false, Payload.utf8(text));
            f.whenComplete((v, e) -> sample.run());
            (reliable ? qos1Sent : qos0Sent).add(f);
            if (reliable) {
                qos1.add(text);
            }
            sample.run();
        }
        awaitAll(qos0Sent);
        await().atMost(Loopback.WAIT).until(() -> {
            sample.run();
            return stats.overloadNacks.sum() > 0 && stats.droppedQos0.sum() > 0;
        });
        assertTrue(maxBacklog.get() <= maxQueued + window, "backlog reached " + maxBacklog.get());
        assertTrue(qos1Sent.stream().anyMatch(f -> !f.isDone()), "QoS 1 publishers are held back");

        // Now the subscriber catches up: every QoS 1 message arrives (retried publishes included).
        Set<String> got = new HashSet<>();
        int qos0Got = 0;
        while (!got.containsAll(qos1)) {
            RawFrame p = sub.readPublish();
            sample.run();
            if (RawPubSub.qos(p) == 1) {
                got.add(p.payloadUtf8());
                sub.ack(FrameType.PUBACK, p.streamId);
            } else {
                qos0Got++;
            }
        }
        awaitAll(qos1Sent);
        assertTrue(maxBacklog.get() <= maxQueued + window, "backlog reached " + maxBacklog.get());
        assertEquals(qos1, got);
        assertTrue(qos0Got < total - qos1.size(), "QoS 0 was dropped for the slow subscriber");
        assertEquals(0, stats.droppedQueueFull.sum(), "no QoS 1 message was dropped");
        await().atMost(Loopback.WAIT).until(() -> session.backlog() == 0);
    }
}
