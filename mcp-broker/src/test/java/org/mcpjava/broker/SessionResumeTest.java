package org.mcpjava.broker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resuming a session (spec 8, "Retransmission and resume"): what was unacknowledged is re-sent in
 * its original order before anything newer, even when a message is routed to the session between
 * the moment a connection attaches (HELLO) and the moment it resumes (after WELCOME). On a server
 * that window is real: a publisher's event loop or the store's commit thread routes to the session
 * while the subscriber's event loop is still writing WELCOME. Here the calls are made by hand in
 * that window, so the interleaving is deterministic.
 */
class SessionResumeTest {
    private final Broker broker = Broker.open(BrokerOptions.builder().build());
    private final RecordingOutput publisherOut = new RecordingOutput(100);
    private Session publisher;
    private long nextPublisherPacket = 1;

    @AfterEach
    void close() {
        broker.close();
    }

    private Session connect(byte[] sessionId, String clientId, RecordingOutput out) {
        Session s = broker.attach(sessionId, 60, clientId, clientId, out).session();
        broker.resume(s, out);
        return s;
    }

    private Session subscriber(RecordingOutput out) {
        Session s = connect(null, "sub", out);
        broker.subscribe(s, List.of(new Broker.SubscriptionRequest("t/#", 2)));
        publisher = connect(null, "pub", publisherOut);
        return s;
    }

    private void publish(int qos, String payload) {
        broker.publish(publisher, nextPublisherPacket++, qos, false, "t/" + qos, 0,
                payload.getBytes(StandardCharsets.UTF_8), 0);
    }

    @Test
    void messagesRoutedBeforeTheResumeGoOutAfterTheUnacknowledgedOnes() {
        RecordingOutput first = new RecordingOutput(100);
        Session sub = subscriber(first);
        publish(1, "a");
        publish(2, "b");
        assertEquals(List.of("PUBLISH 1 a", "PUBLISH 2 b"), first.publishes());
        broker.detach(sub, first); // cut: neither was acknowledged
        publish(1, "c"); // queued while offline

        RecordingOutput second = new RecordingOutput(100);
        Broker.Attachment again = broker.attach(sub.id(), 60, "sub", "sub", second);
        assertTrue(again.present());
        publish(2, "d"); // routed while the new connection writes WELCOME
        broker.resume(sub, second);

        assertEquals(List.of("PUBLISH 1 DUP a", "PUBLISH 2 DUP b", "PUBLISH 3 c", "PUBLISH 4 d"), second.frames());
    }

    @Test
    void takeoverWritesNothingToTheNewConnectionBeforeItsResume() {
        RecordingOutput old = new RecordingOutput(100);
        Session sub = subscriber(old);
        publish(1, "a");
        publish(2, "b");

        RecordingOutput taker = new RecordingOutput(100);
        broker.attach(sub.id(), 60, "sub", "sub", taker);
        assertTrue(old.wasTakenOver());
        // Still in the taker's handshake: the old connection's last frames are read, a message is routed.
        broker.pubrec(sub, 2);
        publish(1, "c");
        assertEquals(List.of(), taker.frames(), "nothing before WELCOME's resume");
        broker.resume(sub, taker);

        assertEquals(List.of("PUBLISH 1 DUP a", "PUBREL 2 DUP", "PUBLISH 3 c"), taker.frames());
    }
}
