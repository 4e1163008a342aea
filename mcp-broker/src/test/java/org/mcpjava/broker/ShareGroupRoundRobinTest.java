package org.mcpjava.broker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcpjava.broker.store.InMemorySessionStore;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A share group hands each message to one member in turn, at every QoS. (A QoS 1/2 publish first
 * checks whether the member that would get it has a full queue; that look must not move the turn,
 * or with two members every message went to the same one.)
 */
class ShareGroupRoundRobinTest {
    private final Broker broker = Broker.open(BrokerOptions.builder().store(new InMemorySessionStore()).build());

    @AfterEach
    void close() {
        broker.close();
    }

    private Session connect(String clientId, RecordingOutput out) {
        Session s = broker.attach(null, 60, clientId, clientId, out).session();
        broker.resume(s, out);
        return s;
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void eachMemberGetsEveryOtherMessage(int qos) {
        RecordingOutput a = new RecordingOutput(100);
        RecordingOutput b = new RecordingOutput(100);
        broker.subscribe(connect("a", a), List.of(new Broker.SubscriptionRequest("$share/g/t", 2)));
        broker.subscribe(connect("b", b), List.of(new Broker.SubscriptionRequest("$share/g/t", 2)));
        Session publisher = connect("pub", new RecordingOutput(100));

        for (int i = 1; i <= 6; i++) {
            broker.publish(publisher, qos == 0 ? 0 : i, qos, false, "t", 0,
                    ("m" + i).getBytes(StandardCharsets.UTF_8), 0);
        }

        assertEquals(3, a.publishes().size(), "a: " + a.publishes() + ", b: " + b.publishes());
        assertEquals(3, b.publishes().size(), "a: " + a.publishes() + ", b: " + b.publishes());
    }
}
