package org.mcpjava.e2e;

import org.junit.jupiter.api.Test;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.transport.internal.McpConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publishes that wait for the server's RECEIVE_WINDOW when the connection drops are kept by the
 * session and sent by the next connection, every one of them, in order.
 */
class WaitingPublishesResumeE2ETest {

    @Test
    void publishesWaitingForTheWindowSurviveAReconnect() throws Exception {
        HeldStore held = new HeldStore();
        try (Loopback loop = new Loopback()) {
            // A window of 2 whose acknowledgements never come: the store never commits.
            McpServer stuck = loop.server(McpServer.builder().receiveWindow(2)
                    .broker(BrokerOptions.builder().store(held).build()));
            loop.beforeClose(() -> held.gate.complete(null));
            ClientSession session = ClientSession.create(60);
            McpClient first = loop.client(stuck, b -> b.session(session));
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                // retained, so the broker waits for the store before it acknowledges
                acks.add(first.publish("held/t", 1, true, Payload.utf8("m" + i)));
            }
            await().atMost(Loopback.WAIT).until(() -> held.barriers == 2 && session.unacknowledgedCount() == 6); // 2 sent, the rest wait (all counted)
            ((McpConnection) stuck.connections().get(0)).closeNow();
            await().atMost(Loopback.WAIT).until(() -> !first.isActive());
            assertEquals(6, session.unacknowledgedCount(), "two sent, four waiting: all kept");

            McpServer healthy = loop.server(McpServer.builder());
            List<String> retained = new ArrayList<>();
            McpClient second = loop.client(healthy, b -> b.session(session));
            for (CompletableFuture<Void> f : acks) {
                f.get(Loopback.WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertEquals(0, session.unacknowledgedCount());
            McpClient reader = loop.client(healthy);
            reader.subscribe("held/#", 1, m -> retained.add(m.payloadAsString())).join();
            await().atMost(Loopback.WAIT).until(() -> retained.size() == 1);
            assertEquals(List.of("m5"), retained, "the last one published was the last one sent");
            assertTrue(second.isActive());
        }
    }
}
