package org.mcpjava.e2e;

import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcpjava.broker.Session;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Message;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.MetadataKey;

import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber's MAX_FRAME (HELLO) bounds what the server sends it: a message whose PUBLISH would
 * be larger is skipped for that subscriber (counted as dropped, reason too_large), which stays
 * connected and gets the rest of the stream in order, live, retained, queued for a durable session
 * and in flight when it comes back with a smaller MAX_FRAME. Without this the client must close
 * with FRAME_TOO_LARGE, and a durable session gets the same message again on every resume.
 */
class OversizeDeliveryE2ETest {
    private static final int SMALL_FRAME = 64 * 1024;
    private static final String BIG = "x".repeat(2 * SMALL_FRAME);

    private final Loopback loop = new Loopback();

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    private static long droppedTooLarge(McpServer server) {
        return server.broker().stats().droppedTooLarge.sum();
    }

    private static void publish(McpClient pub, String topic, int qos, boolean retain, String... texts) {
        for (String t : texts) {
            McpClient.await(pub.publish(topic, qos, retain, Payload.utf8(t)));
        }
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void aSubscriberGetsTheMessagesAroundAnOversizeOneInOrderAndStaysConnected(int qos) {
        McpServer server = loop.server(McpServer.builder());
        Inbox inbox = new Inbox();
        McpClient sub = loop.client(server, b -> b.clientId("sub").maxFrame(SMALL_FRAME));
        assertEquals(qos, McpClient.await(sub.subscribe("live/#", qos, inbox)));
        McpClient pub = loop.client(server, b -> b.clientId("pub"));

        publish(pub, "live/t", qos, false, "before", BIG, "after");

        inbox.awaitPayload("after");
        assertEquals(List.of("before", "after"), inbox.payloads());
        assertEquals(1, droppedTooLarge(server));
        assertTrue(sub.isActive(), "no FRAME_TOO_LARGE: the subscriber is still connected");
        Loopback.assertEcho(sub, "still here");
        Session session = server.broker().session(sub.sessionId());
        await().atMost(Loopback.WAIT).until(() -> session.backlog() == 0);
    }

    @Test
    void aRetainedMessageOverTheSubscribersMaxFrameIsSkippedOnSubscribe() {
        McpServer server = loop.server(McpServer.builder());
        McpClient pub = loop.client(server, b -> b.clientId("pub"));
        publish(pub, "kept/small", 1, true, "small");
        publish(pub, "kept/big", 1, true, BIG);

        Inbox inbox = new Inbox();
        McpClient sub = loop.client(server, b -> b.clientId("sub").maxFrame(SMALL_FRAME));
        McpClient.await(sub.subscribe("kept/#", 1, inbox));
        publish(pub, "kept/live", 1, false, "live"); // after the retained ones

        inbox.awaitPayload("live");
        List<Message> got = inbox.messages();
        assertEquals(List.of("small", "live"), inbox.payloads());
        assertTrue(got.get(0).retain(), "the retained message carries RETAIN");
        assertEquals(1, droppedTooLarge(server));
        Loopback.assertEcho(sub, "still here");
    }

    @Test
    void aDurableSessionResumingWithASmallerMaxFrameSkipsTheQueuedOversizeMessage() {
        McpServer server = loop.server(McpServer.builder());
        ClientSession session = ClientSession.create(60);
        McpClient first = loop.client(server, b -> b.clientId("sub").session(session));
        McpClient.await(first.subscribe("queued/#", 2, new Inbox()));
        first.close();
        await().atMost(Loopback.WAIT).until(() -> !server.broker().session(session.sessionIdHex()).isAttached());

        McpClient pub = loop.client(server, b -> b.clientId("pub"));
        publish(pub, "queued/1", 1, false, "before");
        publish(pub, "queued/2", 2, false, BIG);
        publish(pub, "queued/2", 2, false, "after");
        assertEquals(3, server.broker().session(session.sessionIdHex()).backlog(), "queued for the offline session");

        Inbox inbox = new Inbox();
        McpClient second = loop.client(server, b -> b.clientId("sub").session(session).maxFrame(SMALL_FRAME)
                .messageListener(inbox));
        assertTrue(second.sessionPresent());
        inbox.awaitPayload("after");
        assertEquals(List.of("before", "after"), inbox.payloads());
        assertEquals(1, droppedTooLarge(server));
        Session kept = server.broker().session(session.sessionIdHex());
        await().atMost(Loopback.WAIT).until(() -> kept.backlog() == 0);
        Loopback.assertEcho(second, "still here");
    }

    @Test
    void oversizeMessagesInFlightAreNotResentToAClientThatNowAnnouncesLess() throws Exception {
        McpServer server = loop.server(McpServer.builder());
        RawPubSub raw = new RawPubSub(loop.raw(server));
        RawFrame welcome = raw.handshake(10, 60, null); // default MAX_FRAME, 4 MiB
        byte[] sessionId = welcome.bytes(MetadataKey.SESSION_ID);
        raw.subscribe(Map.of("flight/#", 2));
        McpClient pub = loop.client(server, b -> b.clientId("pub"));
        publish(pub, "flight/1", 1, false, "a");
        publish(pub, "flight/2", 2, false, BIG);
        publish(pub, "flight/1", 1, false, "b");
        // Received, none acknowledged: all three stay in flight when the socket goes.
        long a = raw.expectPublish("flight/1", "a").streamId;
        long big = raw.expectPublish("flight/2", BIG).streamId;
        long b = raw.expectPublish("flight/1", "b").streamId;
        raw.socket().close();
        Session session = server.broker().session(ByteBufUtil.hexDump(sessionId));
        await().atMost(Loopback.WAIT).until(() -> !session.isAttached());

        RawPubSub again = new RawPubSub(loop.raw(server));
        assertEquals(1, again.handshake(10, 60, sessionId, SMALL_FRAME).number(MetadataKey.SESSION_PRESENT));
        assertTrue(RawPubSub.dup(again.expectPublish("flight/1", "a")));
        // QoS 2: the client may hold the packet id from the first connection; PUBREL lets it go.
        again.expect(FrameType.PUBREL, big);
        assertTrue(RawPubSub.dup(again.expectPublish("flight/1", "b")));
        assertEquals(1, droppedTooLarge(server));

        again.ack(FrameType.PUBACK, a);
        again.ack(FrameType.PUBCOMP, big);
        again.ack(FrameType.PUBACK, b);
        await().atMost(Loopback.WAIT).until(() -> session.backlog() == 0);
        again.expectNothingPending(42);
    }
}
