package org.mcpjava.transport;

import org.junit.jupiter.api.Test;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Message;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PubSubSmokeTest {
    @Test
    void qos012RetainedAndResume() {
        try (McpServer server = McpServer.builder().host("127.0.0.1").port(0).build().start()) {
            int port = server.address().getPort();
            List<Message> got = new CopyOnWriteArrayList<>();
            ClientSession durable = ClientSession.create(60);
            try (McpClient pub = McpClient.builder().address("127.0.0.1", port).clientId("pub").connect()) {
                McpClient.await(pub.publish("config/a", 1, true, Payload.utf8("retained-1")));
                try (McpClient sub = McpClient.builder().address("127.0.0.1", port).clientId("sub").session(durable).connect()) {
                    assertEquals(2, McpClient.await(sub.subscribe("sensors/+", 2, got::add)));
                    assertEquals(1, McpClient.await(sub.subscribe("config/#", 1, got::add)));
                    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);
                    assertTrue(got.get(0).retain());
                    assertEquals("retained-1", got.get(0).payloadAsString());
                    for (int q = 0; q <= 2; q++) {
                        McpClient.await(pub.publish("sensors/t" + q, q, false, Payload.utf8("v" + q)));
                    }
                    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 4);
                    assertEquals(List.of("v0", "v1", "v2"), got.subList(1, 4).stream().map(Message::payloadAsString).toList());
                    assertEquals(2, got.get(3).qos());
                }
                // Offline: these wait in the durable session.
                McpClient.await(pub.publish("sensors/t1", 1, false, Payload.utf8("while-away-1")));
                McpClient.await(pub.publish("sensors/t2", 2, false, Payload.utf8("while-away-2")));
                got.clear();
                try (McpClient sub = McpClient.builder().address("127.0.0.1", port).clientId("sub").session(durable)
                        .messageListener(got::add).connect()) {
                    assertTrue(sub.sessionPresent());
                    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 2);
                    assertEquals(List.of("while-away-1", "while-away-2"), got.stream().map(Message::payloadAsString).toList());
                }
            }
        }
    }
}
