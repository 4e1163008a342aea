package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Message;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.MetadataKey;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publish/subscribe over loopback (spec 8): QoS 0, 1 and 2 end to end and on the wire, delivery at
 * the lower of the publish and filter QoS, wildcard matching, reserved {@code $} topics, and the
 * refusal of invalid topics and filters with TOPIC_INVALID.
 */
class PubSubE2ETest {
    private final Loopback loop = new Loopback();
    private McpServer server;

    @BeforeEach
    void start() {
        server = loop.server(McpServer.builder());
    }

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    private McpClient client(String id) {
        return loop.client(server, b -> b.clientId(id));
    }

    private static void publish(McpClient client, String topic, int qos, String text) {
        McpClient.await(client.publish(topic, qos, false, Payload.utf8(text)));
    }

    private static int codeOf(Runnable action) {
        return assertThrows(McpException.class, action::run).code();
    }

    @Test
    void subscriberGetsTheLowerOfPublishAndFilterQos() {
        List<Inbox> inboxes = new ArrayList<>();
        for (int filterQos = 0; filterQos <= 2; filterQos++) {
            Inbox inbox = new Inbox();
            McpClient sub = client("sub-" + filterQos);
            assertEquals(filterQos, McpClient.await(sub.subscribe("qos/+", filterQos, inbox)), "granted QoS");
            inboxes.add(inbox);
        }
        McpClient pub = client("pub");
        for (int qos = 0; qos <= 2; qos++) {
            // Completes on write (QoS 0), PUBACK (QoS 1), PUBCOMP (QoS 2): nothing is left unacknowledged.
            publish(pub, "qos/p" + qos, qos, "published at " + qos);
            assertEquals(0, pub.session().unacknowledgedCount(), "after QoS " + qos);
        }
        for (int filterQos = 0; filterQos <= 2; filterQos++) {
            List<Message> got = inboxes.get(filterQos).awaitAtLeast(3);
            assertEquals(3, got.size(), "filter QoS " + filterQos + ": " + got);
            for (int qos = 0; qos <= 2; qos++) {
                Message m = got.get(qos);
                assertEquals("qos/p" + qos, m.topic());
                assertEquals("published at " + qos, m.payloadAsString());
                assertEquals(Math.min(qos, filterQos), m.qos(), "publish QoS " + qos + ", filter QoS " + filterQos);
                assertFalse(m.retain(), "a live delivery");
                assertFalse(m.dup(), "a first delivery");
            }
        }
    }

    @Test
    void serverAnswersEachPublishQosOnTheWire() throws Exception {
        Inbox inbox = new Inbox();
        McpClient sub = client("sub");
        McpClient.await(sub.subscribe("wire/#", 2, inbox));
        RawPubSub pub = new RawPubSub(loop.raw(server));
        pub.handshake(0, 0, null);

        pub.publish("wire/q1", 1, 1, false, false, "one");
        pub.expect(FrameType.PUBACK, 1);

        pub.publish("wire/q2", 2, 2, false, false, "two");
        pub.expect(FrameType.PUBREC, 2);
        // A retransmission before PUBREL is answered again but not delivered again.
        pub.publish("wire/q2", 2, 2, true, false, "two");
        pub.expect(FrameType.PUBREC, 2);
        pub.ack(FrameType.PUBREL, 2);
        pub.expect(FrameType.PUBCOMP, 2);
        // Released: the id may carry a new message now.
        pub.publish("wire/q2", 2, 2, false, false, "two again");
        pub.expect(FrameType.PUBREC, 2);
        pub.ack(FrameType.PUBREL, 2);
        pub.expect(FrameType.PUBCOMP, 2);
        // A PUBREL the server does not know (e.g. re-sent after a lost PUBCOMP) still completes.
        pub.ack(FrameType.PUBREL, 2);
        pub.expect(FrameType.PUBCOMP, 2);

        pub.publish("wire/end", 1, 3, false, false, "end");
        pub.expect(FrameType.PUBACK, 3);
        inbox.awaitPayload("end");
        assertEquals(List.of("one", "two", "two again", "end"), inbox.payloads());
        assertEquals(List.of(1, 2, 2, 1), inbox.messages().stream().map(Message::qos).toList());
    }

    @Test
    void serverRunsQos1AndQos2WithASubscriberOnTheWire() throws Exception {
        RawPubSub sub = new RawPubSub(loop.raw(server));
        sub.handshake(0, 0, null);
        Map<String, Integer> filters = new LinkedHashMap<>();
        filters.put("hand/#", 2);
        assertArrayEquals(new int[] {2}, sub.subscribe(filters));
        McpClient pub = client("pub");
        String sessionId = sessionWith("hand/#");

        CompletableFuture<Void> one = pub.publish("hand/1", 1, false, Payload.utf8("q1"));
        RawFrame p1 = sub.expectPublish("hand/1", "q1");
        assertEquals(1, RawPubSub.qos(p1));
        assertFalse(RawPubSub.dup(p1));
        assertTrue(p1.streamId != 0, "QoS 1 carries a packet id");
        sub.ack(FrameType.PUBACK, p1.streamId);
        McpClient.await(one);

        CompletableFuture<Void> two = pub.publish("hand/2", 2, false, Payload.utf8("q2"));
        RawFrame p2 = sub.expectPublish("hand/2", "q2");
        assertEquals(2, RawPubSub.qos(p2));
        sub.ack(FrameType.PUBREC, p2.streamId);
        sub.expect(FrameType.PUBREL, p2.streamId);
        sub.ack(FrameType.PUBCOMP, p2.streamId);
        McpClient.await(two);

        McpClient.await(pub.publish("hand/0", 0, false, Payload.utf8("q0")));
        RawFrame p0 = sub.expectPublish("hand/0", "q0");
        assertEquals(0, RawPubSub.qos(p0));
        assertEquals(0, p0.streamId, "QoS 0 has packet id 0");

        await().atMost(Loopback.WAIT).until(() -> server.broker().session(sessionId).backlog() == 0);
        sub.expectNothingPending(42);
    }

    @Test
    void wildcardsMatchLevels() {
        String[] filters = {"w/+/c", "w/#", "#", "+/+", "w/b/c"};
        String[] topics = {"w/b/c", "w/x/c", "w", "w/b", "x/b", "w/b/c/d", "w//c"};
        boolean[][] matches = {
                // w/b/c  w/x/c  w      w/b    x/b    w/b/c/d w//c
                {true, true, false, false, false, false, true},  // w/+/c
                {true, true, true, true, false, true, true},     // w/#
                {true, true, true, true, true, true, true},      // #
                {false, false, false, true, true, false, false}, // +/+
                {true, false, false, false, false, false, false} // w/b/c
        };
        List<Inbox> inboxes = new ArrayList<>();
        for (String f : filters) {
            Inbox inbox = new Inbox();
            McpClient sub = client("sub");
            Map<String, Integer> subscription = new LinkedHashMap<>();
            subscription.put(f, 1);
            subscription.put("end/marker", 1);
            int[] granted = McpClient.await(sub.subscribe(subscription, inbox));
            assertArrayEquals(new int[] {1, 1}, granted, f);
            inboxes.add(inbox);
        }
        McpClient pub = client("pub");
        for (String t : topics) {
            publish(pub, t, 1, t);
        }
        publish(pub, "end/marker", 1, "end");
        for (int i = 0; i < filters.length; i++) {
            Inbox inbox = inboxes.get(i);
            inbox.awaitPayload("end");
            List<String> expected = new ArrayList<>();
            for (int t = 0; t < topics.length; t++) {
                if (matches[i][t]) {
                    expected.add(topics[t]);
                }
            }
            List<String> got = new ArrayList<>(inbox.payloads());
            got.removeIf("end"::equals);
            assertEquals(expected, got, "filter " + filters[i]);
        }
    }

    @Test
    void dollarTopicsCannotBePublishedAndWildcardsNeverSeeThem() throws Exception {
        Inbox all = new Inbox();
        McpClient sub = client("sub");
        McpClient.await(sub.subscribe("#", 2, all));
        Inbox sys = new Inbox();
        // A '$' filter is valid: only the server could publish there.
        assertEquals(1, McpClient.await(sub.subscribe("$SYS/#", 1, sys)));

        McpClient pub = client("pub");
        for (int qos = 0; qos <= 2; qos++) {
            int q = qos;
            assertEquals(ErrorCode.TOPIC_INVALID.code(), codeOf(() -> publish(pub, "$SYS/x", q, "client-side")),
                    "QoS " + qos);
        }
        RawPubSub raw = new RawPubSub(loop.raw(server));
        raw.handshake(0, 0, null);
        raw.publish("$SYS/x", 0, 0, false, false, "qos0 is dropped silently");
        raw.publish("$SYS/x", 1, 1, false, false, "refused");
        assertEquals(ErrorCode.TOPIC_INVALID.code(), raw.expect(FrameType.NACK, 1).errorCode());
        raw.publish("$share/g/x", 2, 2, false, true, "refused");
        assertEquals(ErrorCode.TOPIC_INVALID.code(), raw.expect(FrameType.NACK, 2).errorCode());
        raw.publish("after", 1, 3, false, false, "after");
        raw.expect(FrameType.PUBACK, 3);

        all.awaitPayload("after");
        assertEquals(List.of("after"), all.payloads(), "nothing published to a $ topic got through");
        assertEquals(0, sys.size());
    }

    @Test
    void invalidTopicsFailThePublishWithTopicInvalid() throws Exception {
        McpClient pub = client("pub");
        String tooLong = "t/" + "x".repeat(1023);
        for (String bad : new String[] {"a/+/b", "a/#", "+", "", "a\u0000b", tooLong}) {
            for (int qos = 0; qos <= 2; qos++) {
                int q = qos;
                assertEquals(ErrorCode.TOPIC_INVALID.code(), codeOf(() -> publish(pub, bad, q, "x")),
                        () -> "topic '" + bad + "' at QoS " + q);
            }
        }
        // The server checks too, for clients that do not. (A TOPIC over 1024 bytes never gets this far:
        // the frame decoder rejects the metadata value as a PROTOCOL_ERROR.)
        RawPubSub raw = new RawPubSub(loop.raw(server));
        raw.handshake(0, 0, null);
        long id = 1;
        for (String bad : new String[] {"a/+/b", "a/#", "+"}) {
            raw.publish(bad, 1, id, false, false, "x");
            RawFrame nack = raw.expect(FrameType.NACK, id++);
            assertEquals(ErrorCode.TOPIC_INVALID.code(), nack.errorCode(), () -> "for " + bad + ": " + nack);
        }
        raw.socket().send(RawMcpSocket.frame(FrameType.PUBLISH, 1, 0, 0, id).payload(new byte[] {1}).finish());
        assertEquals(ErrorCode.TOPIC_INVALID.code(), raw.expect(FrameType.NACK, id++).errorCode(), "PUBLISH without TOPIC");
        // The connection is still good.
        raw.publish("fine", 2, id, false, false, "x");
        raw.expect(FrameType.PUBREC, id);
        publish(pub, "fine", 1, "and the client's too");
    }

    /**
     * TOPIC and SUBSCRIPTION are UTF-8 (spec sections 1 and 5). Found by the conformance checker:
     * they were decoded with replacement characters, so such a topic was accepted (PUBACK) and
     * routed under another name, and such a filter granted.
     */
    @Test
    void topicsAndFiltersThatAreNotUtf8AreRefused() throws Exception {
        Inbox all = new Inbox();
        McpClient sub = client("sub");
        McpClient.await(sub.subscribe("#", 1, all));
        RawPubSub raw = new RawPubSub(loop.raw(server));
        raw.handshake(0, 0, null);
        byte[][] bad = {
            {'a', '/', (byte) 0xFF, (byte) 0xFE},           // not UTF-8 at all
            {'a', (byte) 0xC0, (byte) 0xAF, 'b'},           // overlong '/'
            {'a', '/', (byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate
            {'a', '/', (byte) 0xE2, (byte) 0x82},           // cut short
        };
        long id = 1;
        for (byte[] topic : bad) {
            raw.socket().send(RawMcpSocket.frame(FrameType.PUBLISH, 1, 0, 0, id)
                    .bytes(MetadataKey.TOPIC.wire(), topic).payload(new byte[] {1}).finish());
            RawFrame nack = raw.expect(FrameType.NACK, id++);
            assertEquals(ErrorCode.TOPIC_INVALID.code(), nack.errorCode(), () -> "for " + HexFormat.of().formatHex(topic));
        }
        for (byte[] filter : bad) {
            byte[] entry = new byte[filter.length + 1];
            entry[0] = 1;
            System.arraycopy(filter, 0, entry, 1, filter.length);
            raw.socket().send(RawMcpSocket.frame(FrameType.SUBSCRIBE, 0, 0, 0, id)
                    .bytes(MetadataKey.SUBSCRIPTION.wire(), entry)
                    .subscription(1, "ok/utf8")
                    .finish());
            RawFrame suback = raw.expect(FrameType.SUBACK, id++);
            assertArrayEquals(new byte[] {(byte) 0x80, 1}, suback.payload, () -> "for " + HexFormat.of().formatHex(filter));
        }
        // Well-formed UTF-8 beyond ASCII is fine, and nothing refused got through.
        raw.publish("caf\u00e9/\u6e29\u5ea6", 1, id, false, false, "ok");
        raw.expect(FrameType.PUBACK, id);
        all.awaitPayload("ok");
        assertEquals(List.of("ok"), all.payloads());
    }

    @Test
    void invalidFiltersFailTheSubscribeWithTopicInvalid() throws Exception {
        McpClient sub = client("sub");
        Inbox inbox = new Inbox();
        for (String bad : new String[] {"a/#/b", "a+", "#/a", "a/b#", "", "$share/g", "$share//x", "$share/g+/x",
                "$share/g/$share/h/x", "x\u0000y"}) {
            assertEquals(ErrorCode.TOPIC_INVALID.code(), codeOf(() -> McpClient.await(sub.subscribe(bad, 1, inbox))),
                    () -> "filter '" + bad + "'");
        }
        // On the wire: each filter gets its own code, 0x80 for the invalid one.
        RawPubSub raw = new RawPubSub(loop.raw(server));
        raw.handshake(0, 0, null);
        Map<String, Integer> filters = new LinkedHashMap<>();
        filters.put("ok/+", 1);
        filters.put("bad/#/x", 1);
        filters.put("$share/g/ok/#", 2);
        assertArrayEquals(new int[] {1, 0x80, 2}, raw.subscribe(filters));
        String session = sessionWith("ok/+");
        assertEquals(Map.of("ok/+", 1, "$share/g/ok/#", 2), server.broker().session(session).subscriptions());
        // The refusals left the client subscribed to nothing, and usable.
        McpClient.await(sub.subscribe("fine/#", 1, inbox));
        publish(sub, "fine/1", 1, "fine");
        inbox.awaitPayload("fine");
        assertEquals(List.of("fine"), inbox.payloads());
    }

    /** The id of the one session subscribed to {@code filter}. */
    private String sessionWith(String filter) {
        return server.broker().sessions().stream()
                .filter(s -> s.subscriptions().containsKey(filter))
                .findFirst().orElseThrow(() -> new AssertionError("no session subscribed to " + filter))
                .idHex();
    }
}
