package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Message;
import org.mcpjava.core.OutboundDecorator;
import org.mcpjava.core.Payload;
import org.mcpjava.core.TraceContext;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.MetadataKey;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trace context through the broker, over loopback: a PUBLISH's TRACEPARENT / TRACESTATE reach each
 * subscriber's {@link Message#trace()} at QoS 0, 1 and 2, from a durable session's queue after a
 * resume, and with a retained message; a publish without them delivers none, and oversize values
 * are not carried (an oversize tracestate is dropped, an oversize traceparent drops both).
 */
class PubSubTraceE2ETest {
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

    /** A W3C traceparent whose trace id ends in {@code n}. */
    private static String traceparent(int n) {
        return String.format("00-4bf92f3577b34da6a3ce929d0e0e%04x-00f067aa0ba902b7-01", n);
    }

    /** A publisher whose decorator sends {@code trace} with every PUBLISH. */
    private McpClient publisher(String id, String traceparent, String tracestate) {
        OutboundDecorator decorator = (kind, name) -> {
            Map<Integer, String> m = new HashMap<>();
            m.put(MetadataKey.TRACEPARENT.wire(), traceparent);
            if (tracestate != null) {
                m.put(MetadataKey.TRACESTATE.wire(), tracestate);
            }
            return m;
        };
        return loop.client(server, b -> b.clientId(id).decorator(decorator));
    }

    private static void publish(McpClient client, String topic, int qos, boolean retain, String text) {
        McpClient.await(client.publish(topic, qos, retain, Payload.utf8(text)));
    }

    @Test
    void everyQosDeliversThePublishersTraceContext() {
        Inbox inbox = new Inbox();
        McpClient sub = loop.client(server, b -> b.clientId("sub"));
        McpClient.await(sub.subscribe("traced/+", 2, inbox));
        for (int qos = 0; qos <= 2; qos++) {
            McpClient pub = publisher("pub-" + qos, traceparent(qos), "mcp=q" + qos);
            publish(pub, "traced/q" + qos, qos, false, "at " + qos);
        }
        List<Message> got = inbox.awaitAtLeast(3);
        for (int qos = 0; qos <= 2; qos++) {
            String topic = "traced/q" + qos;
            Message m = got.stream().filter(x -> x.topic().equals(topic)).findFirst().orElseThrow();
            assertEquals(qos, m.qos(), m::toString);
            assertEquals(new TraceContext(traceparent(qos), "mcp=q" + qos), m.trace(), "QoS " + qos);
        }
    }

    @Test
    void aPublishWithoutTraceContextDeliversNone() {
        Inbox inbox = new Inbox();
        McpClient sub = loop.client(server, b -> b.clientId("sub"));
        McpClient.await(sub.subscribe("plain", 1, inbox));
        publish(loop.client(server, b -> b.clientId("pub")), "plain", 1, false, "untraced");
        assertNull(inbox.awaitAtLeast(1).get(0).trace());
    }

    @Test
    void traceparentWithoutTracestateIsCarriedAlone() {
        Inbox inbox = new Inbox();
        McpClient sub = loop.client(server, b -> b.clientId("sub"));
        McpClient.await(sub.subscribe("half", 1, inbox));
        publish(publisher("pub", traceparent(7), null), "half", 1, false, "x");
        assertEquals(new TraceContext(traceparent(7), null), inbox.awaitAtLeast(1).get(0).trace());
    }

    @Test
    void aDurableSessionsQueuedMessageKeepsItsTraceContextAcrossAResume() {
        ClientSession session = ClientSession.create(60);
        McpClient away = loop.client(server, b -> b.clientId("sub").session(session));
        McpClient.await(away.subscribe("queued/#", 2, new Inbox()));
        away.close();

        McpClient pub = publisher("pub", traceparent(1), "mcp=queued");
        publish(pub, "queued/1", 1, false, "waited at 1");
        publish(pub, "queued/2", 2, false, "waited at 2");

        Inbox inbox = new Inbox();
        McpClient back = loop.client(server, b -> b.clientId("sub").session(session).messageListener(inbox));
        assertTrue(back.sessionPresent());
        for (Message m : inbox.awaitAtLeast(2)) {
            assertEquals(new TraceContext(traceparent(1), "mcp=queued"), m.trace(), m::toString);
        }
    }

    @Test
    void aRetainedMessageKeepsItsTraceContext() {
        publish(publisher("pub", traceparent(2), "mcp=retained"), "kept", 1, true, "retained");
        Inbox inbox = new Inbox();
        McpClient late = loop.client(server, b -> b.clientId("late"));
        McpClient.await(late.subscribe("kept", 1, inbox));
        Message m = inbox.awaitAtLeast(1).get(0);
        assertTrue(m.retain());
        assertEquals(new TraceContext(traceparent(2), "mcp=retained"), m.trace());
    }

    @Test
    void oversizeTraceContextIsNotCarried() {
        Inbox inbox = new Inbox();
        McpClient sub = loop.client(server, b -> b.clientId("sub"));
        McpClient.await(sub.subscribe("big/+", 1, inbox));
        String longState = "v=" + "x".repeat(TraceContext.MAX_TRACESTATE);
        String longParent = traceparent(3) + "-" + "f".repeat(TraceContext.MAX_TRACEPARENT);
        publish(publisher("pub-state", traceparent(3), longState), "big/state", 1, false, "a");
        publish(publisher("pub-parent", longParent, "mcp=ok"), "big/parent", 1, false, "b");
        List<Message> got = inbox.awaitAtLeast(2);
        assertEquals(List.of("big/state", "big/parent"), got.stream().map(Message::topic).toList());
        assertEquals(new TraceContext(traceparent(3), null), got.get(0).trace(), "the tracestate is dropped");
        assertNull(got.get(1).trace(), "without a usable traceparent nothing is carried");
    }
}
