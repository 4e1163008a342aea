package org.mcpjava.broker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcpjava.broker.store.InMemorySessionStore;
import org.mcpjava.broker.store.SessionRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A delivery whose PUBLISH would exceed the subscriber's MAX_FRAME is skipped for that subscriber
 * (counted in {@link BrokerStats#droppedTooLarge}), and the rest of its stream goes on in order:
 * live, retained, queued while offline, in flight when the client comes back with a smaller
 * MAX_FRAME, and after a restart on the same store. The broker is driven by hand through
 * {@link RecordingOutput}s, so every interleaving is fixed.
 */
class OversizeDeliveryTest {
    /** MAX_FRAME of the small subscribers: "small" messages fit, {@link #BIG} does not. */
    private static final int SMALL_FRAME = 1024;
    private static final String BIG = "x".repeat(2 * SMALL_FRAME);

    private final InMemorySessionStore store = new InMemorySessionStore();
    private final List<Broker> brokers = new ArrayList<>();
    private Broker broker = open();
    private final RecordingOutput publisherOut = new RecordingOutput(100);
    private Session publisher = connect(null, "pub", publisherOut);
    private long nextPublisherPacket = 1;

    @AfterEach
    void close() {
        brokers.forEach(Broker::close);
    }

    private Broker open() {
        Broker b = Broker.open(BrokerOptions.builder().store(store).maxQueuedPerSession(4).build());
        brokers.add(b);
        return b;
    }

    private Session connect(byte[] sessionId, String clientId, RecordingOutput out) {
        Session s = broker.attach(sessionId, 60, clientId, clientId, out).session();
        broker.resume(s, out);
        return s;
    }

    private Session subscriber(RecordingOutput out, String filter, int qos) {
        Session s = connect(null, "sub", out);
        List<Broker.SubscriptionRequest> requests = List.of(new Broker.SubscriptionRequest(filter, qos));
        int[] codes = broker.subscribe(s, requests);
        broker.sendRetained(s, requests, codes);
        return s;
    }

    private void publish(String topic, int qos, boolean retain, String payload) {
        broker.publish(publisher, nextPublisherPacket++, qos, retain, topic, 0,
                payload.getBytes(StandardCharsets.UTF_8), 0);
    }

    private long dropped() {
        return broker.stats().droppedTooLarge.sum();
    }

    /** Outbound rows the store keeps for {@code s}. */
    private int storedOutbound(Session s) {
        for (SessionRecord r : store.load()) {
            if (Arrays.equals(r.sessionId(), s.id())) {
                return r.outbound().size();
            }
        }
        return 0;
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void liveStreamSkipsTheOversizeMessageAndKeepsItsOrder(int qos) {
        RecordingOutput out = new RecordingOutput(100, SMALL_FRAME);
        Session sub = subscriber(out, "t", qos);
        publish("t", qos, false, "a");
        publish("t", qos, false, BIG);
        publish("t", qos, false, "b");

        long first = qos == 0 ? 0 : 1;
        long second = qos == 0 ? 0 : 2; // the skipped message took no packet id
        assertEquals(List.of("PUBLISH " + first + " a", "PUBLISH " + second + " b"), out.publishes());
        assertEquals(1, dropped());
        if (qos == 1) {
            broker.puback(sub, 1);
            broker.puback(sub, 2);
        } else if (qos == 2) {
            for (long id = 1; id <= 2; id++) {
                broker.pubrec(sub, id);
                broker.pubcomp(sub, id);
            }
        }
        assertEquals(0, sub.backlog());
        assertEquals(0, storedOutbound(sub), "nothing left in the store");
        List<String> acks = publisherOut.frames().stream().filter(f -> !f.startsWith("PUBCOMP")).toList();
        assertEquals(qos == 0 ? 0 : 3, acks.size(), "every publish acknowledged: " + acks);
    }

    @Test
    void aSubscriberThatAcceptsTheFrameStillGetsIt() {
        RecordingOutput small = new RecordingOutput(100, SMALL_FRAME);
        RecordingOutput large = new RecordingOutput(100);
        subscriber(small, "t", 1);
        Session other = connect(null, "other", large);
        broker.subscribe(other, List.of(new Broker.SubscriptionRequest("t", 1)));
        publish("t", 1, false, BIG);

        assertEquals(List.of(), small.publishes());
        assertEquals(List.of("PUBLISH 1 " + BIG), large.publishes());
        assertEquals(1, dropped());
    }

    @Test
    void retainedMessagesOverTheLimitAreSkippedOnSubscribe() {
        publish("r/1", 1, true, "one");
        publish("r/2", 1, true, BIG);
        publish("r/3", 1, true, "three");
        RecordingOutput out = new RecordingOutput(100, SMALL_FRAME);
        Session sub = subscriber(out, "r/#", 1);

        // Retained messages go out in no particular order.
        assertEquals(Set.of("one", "three"),
                out.publishes().stream().map(f -> f.substring(f.lastIndexOf(' ') + 1)).collect(Collectors.toSet()));
        assertEquals(2, out.publishes().size());
        assertEquals(1, dropped());
        assertEquals(2, sub.backlog(), "only the two sent wait for PUBACK");
    }

    @Test
    void aFullQueueOfASubscriberTheMessageIsTooLargeForDoesNotRefuseThePublisher() {
        RecordingOutput out = new RecordingOutput(1, SMALL_FRAME); // window 1: the rest queues
        subscriber(out, "t", 1);
        for (int i = 0; i < 5; i++) {
            publish("t", 1, false, "m" + i); // one in flight, four queued: the queue bound
        }
        publish("t", 1, false, BIG);

        assertEquals(List.of("PUBACK 1", "PUBACK 2", "PUBACK 3", "PUBACK 4", "PUBACK 5", "PUBACK 6"),
                publisherOut.frames(), "no NACK(OVERLOADED) for a message that subscriber would skip");
        assertEquals(1, dropped());
    }

    @Test
    void aShareGroupPrefersAMemberThatAcceptsTheFrame() {
        RecordingOutput small = new RecordingOutput(100, SMALL_FRAME);
        RecordingOutput large = new RecordingOutput(100);
        subscriber(small, "$share/g/t", 0);
        Session other = connect(null, "other", large);
        broker.subscribe(other, List.of(new Broker.SubscriptionRequest("$share/g/t", 0)));
        for (int i = 0; i < 3; i++) {
            publish("t", 0, false, BIG);
        }

        assertEquals(List.of(), small.publishes());
        assertEquals(3, large.publishes().size());
        assertEquals(0, dropped());
    }

    @Test
    void messagesQueuedWhileOfflineAreSkippedWhenTheClientResumesWithASmallerMaxFrame() {
        RecordingOutput first = new RecordingOutput(100);
        Session sub = subscriber(first, "t", 2);
        broker.detach(sub, first);
        publish("t", 1, false, "a");
        publish("t", 2, false, BIG);
        publish("t", 2, false, "b");
        assertEquals(3, storedOutbound(sub), "queued for the offline session, in the store");

        RecordingOutput second = new RecordingOutput(100, SMALL_FRAME);
        connect(sub.id(), "sub", second);

        assertEquals(List.of("PUBLISH 1 a", "PUBLISH 3 b"), second.frames());
        assertEquals(1, dropped());
        assertEquals(2, storedOutbound(sub), "the skipped message left the store");
    }

    @Test
    void anUnacknowledgedQos1MessageTooLargeForTheResumingClientIsNotResent() {
        RecordingOutput first = new RecordingOutput(100);
        Session sub = subscriber(first, "t", 1);
        publish("t", 1, false, "a");
        publish("t", 1, false, BIG);
        publish("t", 1, false, "b");
        assertEquals(3, first.publishes().size());
        broker.detach(sub, first); // none acknowledged

        RecordingOutput second = new RecordingOutput(100, SMALL_FRAME);
        connect(sub.id(), "sub", second);
        assertEquals(List.of("PUBLISH 1 DUP a", "PUBLISH 3 DUP b"), second.frames());
        assertEquals(1, dropped());
        assertEquals(2, sub.inflightCount());
        assertEquals(2, storedOutbound(sub));

        RecordingOutput third = new RecordingOutput(100, SMALL_FRAME);
        connect(sub.id(), "sub", third);
        assertEquals(List.of("PUBLISH 1 DUP a", "PUBLISH 3 DUP b"), third.frames(), "not stuck: gone for good");
    }

    @Test
    void anUnacknowledgedQos2MessageTooLargeForTheResumingClientIsReleased() {
        RecordingOutput first = new RecordingOutput(100);
        Session sub = subscriber(first, "t", 2);
        publish("t", 2, false, "a");
        publish("t", 2, false, BIG);
        publish("t", 2, false, "b");
        broker.detach(sub, first);

        RecordingOutput second = new RecordingOutput(100, SMALL_FRAME);
        connect(sub.id(), "sub", second);
        // The client may hold packet id 2 from the first connection: PUBREL lets it go.
        assertEquals(List.of("PUBLISH 1 DUP a", "PUBREL 2", "PUBLISH 3 DUP b"), second.frames());
        assertEquals(1, dropped());

        broker.pubcomp(sub, 2);
        assertEquals(2, sub.inflightCount());
        assertEquals(2, storedOutbound(sub));
    }

    @Test
    void aRestartedBrokerSkipsAStoredMessageTooLargeForTheResumingClient() {
        RecordingOutput first = new RecordingOutput(100);
        Session sub = subscriber(first, "t", 1);
        broker.detach(sub, first);
        publish("t", 1, false, "a");
        publish("t", 1, false, BIG);
        publish("t", 1, false, "b");
        byte[] id = sub.id();

        broker.close();
        broker = open(); // the same store: the session and its queue are restored
        publisher = connect(null, "pub", publisherOut);
        RecordingOutput second = new RecordingOutput(100, SMALL_FRAME);
        Session restored = connect(id, "sub", second);

        assertTrue(restored != sub, "a restored session");
        assertEquals(List.of("PUBLISH 1 a", "PUBLISH 3 b"), second.frames());
        assertEquals(1, dropped());
        broker.puback(restored, 1);
        broker.puback(restored, 3);
        assertEquals(0, restored.backlog());
        assertEquals(0, storedOutbound(restored));
    }
}
