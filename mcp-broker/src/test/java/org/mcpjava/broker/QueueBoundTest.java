package org.mcpjava.broker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.broker.store.InMemorySessionStore;
import org.mcpjava.wire.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The per-session queue bound counts QoS 1/2 messages only (QoS 0 is dropped first), and stays
 * right after QoS 0 messages leave the queue by expiring: a publish beyond the bound gets
 * NACK(OVERLOADED) exactly when the bound is reached.
 */
class QueueBoundTest {
    private static final int BOUND = 2;
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final Broker broker = Broker.open(BrokerOptions.builder().store(new InMemorySessionStore())
            .maxQueuedPerSession(BOUND).wallClock(clock::get).build());
    private final RecordingOutput publisherOut = new RecordingOutput(100);
    private Session publisher;
    private long packet = 1;

    @AfterEach
    void close() {
        broker.close();
    }

    private Session connect(String clientId, RecordingOutput out) {
        Session s = broker.attach(null, 60, clientId, clientId, out).session();
        broker.resume(s, out);
        return s;
    }

    private long publish(int qos, long expirySeconds, String text) {
        long id = qos == 0 ? 0 : packet++;
        broker.publish(publisher, id, qos, false, "t", 0, text.getBytes(StandardCharsets.UTF_8), expirySeconds);
        return id;
    }

    @Test
    void expiredQos0MessagesDoNotLoosenTheBound() {
        RecordingOutput subOut = new RecordingOutput(1); // window 1: one QoS 1 in flight, the rest queued
        Session sub = connect("sub", subOut);
        broker.subscribe(sub, List.of(new Broker.SubscriptionRequest("t", 2)));
        publisher = connect("pub", publisherOut);

        publish(1, 0, "in flight");
        publish(1, 0, "queued");                 // behind the full window
        for (int i = 0; i < 3; i++) {
            publish(0, 1, "short-lived " + i);   // queued behind it, expire in 1 s
        }
        clock.addAndGet(5_000);
        broker.puback(sub, 1);                   // "queued" goes out; the QoS 0 ones have expired
        assertEquals(List.of("PUBLISH 1 in flight", "PUBLISH 2 queued"), subOut.publishes());

        int mark = publisherOut.frames().size();
        for (int i = 0; i < BOUND; i++) {
            publish(1, 0, "fills " + i);
        }
        long refused = publish(1, 0, "one too many");
        List<String> answers = publisherOut.frames();
        assertEquals(List.of("PUBACK 3", "PUBACK 4", "NACK " + refused + " " + ErrorCode.OVERLOADED.code()),
                answers.subList(mark, answers.size()));
    }
}
