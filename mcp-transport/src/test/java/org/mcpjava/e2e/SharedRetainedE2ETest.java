package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Message;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.FrameType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared subscriptions ({@code $share/GROUP/FILTER}: each message to exactly one member) and
 * retained messages (sent after SUBACK with RETAIN set, live deliveries without it, cleared by an
 * empty retained publish), over loopback.
 */
class SharedRetainedE2ETest {
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

    private static void publish(McpClient client, String topic, int qos, boolean retain, String text) {
        McpClient.await(client.publish(topic, qos, retain, Payload.utf8(text)));
    }

    @Test
    void shareGroupDeliversEachMessageToExactlyOneMember() {
        int members = 3;
        int messages = 30;
        List<Inbox> inboxes = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            Inbox inbox = new Inbox();
            assertEquals(1, McpClient.await(client("member-" + i).subscribe("$share/workers/jobs/+", 1, inbox)));
            inboxes.add(inbox);
        }
        // A plain subscription to the same topics is independent of the group: it sees everything.
        Inbox plain = new Inbox();
        McpClient.await(client("observer").subscribe("jobs/#", 1, plain));
        // Another group on the same filter gets its own copy of each message.
        Inbox otherGroup = new Inbox();
        McpClient.await(client("auditor").subscribe("$share/audit/jobs/+", 1, otherGroup));

        McpClient pub = client("pub");
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            sent.add(pub.publish("jobs/" + (i % 4), 1, false, Payload.utf8("job-" + i)));
        }
        sent.forEach(McpClient::await);

        await().atMost(Loopback.WAIT).until(() -> inboxes.stream().mapToInt(Inbox::size).sum() >= messages
                && plain.size() >= messages && otherGroup.size() >= messages);
        Set<String> union = new HashSet<>();
        int total = 0;
        for (int i = 0; i < members; i++) {
            List<String> got = inboxes.get(i).payloads();
            assertFalse(got.isEmpty(), "member " + i + " got nothing");
            union.addAll(got);
            total += got.size();
        }
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < messages; i++) {
            expected.add("job-" + i);
        }
        assertEquals(messages, total, "each message went to exactly one member");
        assertEquals(expected, union);
        assertEquals(expected, new HashSet<>(plain.payloads()));
        assertEquals(messages, plain.size());
        assertEquals(expected, new HashSet<>(otherGroup.payloads()));
        assertEquals(messages, otherGroup.size());
    }

    @Test
    void memberThatLeavesGetsNoMore() {
        Inbox stays = new Inbox();
        Inbox leaves = new Inbox();
        McpClient.await(client("stays").subscribe("$share/g/leave/#", 1, stays));
        McpClient leaver = client("leaves");
        McpClient.await(leaver.subscribe("$share/g/leave/#", 1, leaves));
        McpClient.await(leaver.unsubscribe("$share/g/leave/#"));
        McpClient pub = client("pub");
        for (int i = 0; i < 6; i++) {
            publish(pub, "leave/x", 1, false, "m" + i);
        }
        stays.awaitPayload("m5");
        assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5"), stays.payloads());
        assertEquals(0, leaves.size());
    }

    @Test
    void retainedMessageFollowsSubackWithRetainSetAndLiveOnesDoNot() throws Exception {
        McpClient pub = client("pub");
        publish(pub, "cfg/a", 1, true, "v1");

        RawPubSub raw = new RawPubSub(loop.raw(server));
        raw.handshake(0, 0, null);
        Map<String, Integer> filters = new LinkedHashMap<>();
        filters.put("cfg/+", 2);
        // subscribe() reads SUBACK as the very next frame: the retained message cannot come first.
        assertArrayEquals(new int[] {2}, raw.subscribe(filters));
        RawFrame retained = raw.expectPublish("cfg/a", "v1");
        assertTrue(RawPubSub.retain(retained), "sent because of the subscription: RETAIN set");
        assertEquals(1, RawPubSub.qos(retained), "at the QoS it was published with");
        raw.ack(FrameType.PUBACK, retained.streamId);

        // Published with RETAIN while the subscriber is there: a live delivery, RETAIN clear.
        publish(pub, "cfg/a", 1, true, "v2");
        RawFrame live = raw.expectPublish("cfg/a", "v2");
        assertFalse(RawPubSub.retain(live), "a live delivery does not carry RETAIN");
        raw.ack(FrameType.PUBACK, live.streamId);

        // A new subscriber gets the latest retained value only, with RETAIN, at min(QoS, granted).
        Inbox inbox = new Inbox();
        McpClient late = client("late");
        assertEquals(0, McpClient.await(late.subscribe("cfg/#", 0, inbox)));
        List<Message> got = inbox.awaitAtLeast(1);
        assertEquals(1, got.size(), got.toString());
        assertEquals("v2", got.get(0).payloadAsString());
        assertTrue(got.get(0).retain());
        assertEquals(0, got.get(0).qos());
        // And after it, live deliveries without RETAIN.
        publish(pub, "cfg/b", 2, false, "live");
        inbox.awaitPayload("live");
        assertFalse(inbox.messages().get(1).retain());
    }

    @Test
    void emptyRetainedPublishClearsTheTopic() {
        McpClient pub = client("pub");
        publish(pub, "clr/a", 1, true, "to be cleared");
        publish(pub, "clr/z", 2, true, "marker");
        publish(pub, "clr/a", 1, true, "");

        // Retained messages are sent in the order of the filters of one SUBSCRIBE: had clr/a kept a
        // message, it would arrive before the marker.
        Inbox inbox = new Inbox();
        Map<String, Integer> filters = new LinkedHashMap<>();
        filters.put("clr/a", 2);
        filters.put("clr/z", 2);
        assertArrayEquals(new int[] {2, 2}, McpClient.await(client("sub").subscribe(filters, inbox)));
        inbox.awaitPayload("marker");
        assertEquals(List.of("marker"), inbox.payloads());
        assertTrue(inbox.messages().get(0).retain());
        assertEquals(2, inbox.messages().get(0).qos());

        // A wildcard filter sees the same: only the marker is retained under clr/.
        Inbox wide = new Inbox();
        McpClient.await(client("wide").subscribe("clr/#", 1, wide));
        wide.awaitPayload("marker");
        assertEquals(List.of("marker"), wide.payloads());
    }

    @Test
    void sharedSubscriptionsGetNoRetainedMessages() throws Exception {
        McpClient pub = client("pub");
        publish(pub, "ret/a", 1, true, "kept");
        RawPubSub raw = new RawPubSub(loop.raw(server));
        raw.handshake(0, 0, null);
        assertArrayEquals(new int[] {1}, raw.subscribe(Map.of("$share/g/ret/#", 1)));
        // Had the shared filter brought the retained message, it would precede this SUBACK.
        assertArrayEquals(new int[] {1}, raw.subscribe(Map.of("ret/a", 1)));
        RawFrame kept = raw.expectPublish("ret/a", "kept");
        assertTrue(RawPubSub.retain(kept));
        raw.ack(FrameType.PUBACK, kept.streamId);
        await().atMost(Loopback.WAIT).until(() -> server.broker().sessions().stream().allMatch(s -> s.backlog() == 0));
        raw.expectNothingPending(7);
    }
}
