package org.mcpjava.resilience.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Message;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.InMemoryOfflineQueue;
import org.mcpjava.resilience.ResilientClient;
import org.mcpjava.resilience.StateChange;
import org.mcpjava.server.McpServer;
import org.mcpjava.transport.internal.McpConnection;
import org.mcpjava.wire.ErrorCode;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.resilience.e2e.Servers.WAIT;

/** GOAWAY from a server that stays up sends the client to the next endpoint, its subscriptions with it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GoawayRedirectE2ETest {
    @TempDir
    Path dir;

    @Test
    void goawayRedirectsToTheNextEndpointAndTheSubscriptionFollows() throws Exception {
        try (McpServer s1 = Servers.durable(0, dir.resolve("s1.db")); McpServer s2 = Servers.durable(0, dir.resolve("s2.db"))) {
            Endpoint e1 = new Endpoint("127.0.0.1", s1.address().getPort());
            Endpoint e2 = new Endpoint("127.0.0.1", s2.address().getPort());
            List<StateChange> changes = new CopyOnWriteArrayList<>();
            List<String> received = new CopyOnWriteArrayList<>();
            try (ResilientClient client = ResilientClient.builder().endpoints(List.of(e1, e2)).offlineQueue(new InMemoryOfflineQueue())
                    .reconnectPolicy(Servers.FAST).stateListener(changes::add).build().start()) {
                client.subscribe("news/#", 1, m -> received.add(m.payloadAsString()));
                Servers.awaitState(client::state, ClientState.CONNECTED);
                assertEquals(e1, client.endpoint());
                deliveredThrough(s1, "on s1", received);
                long dials = client.dialAttempts();

                // The server asks the client to go elsewhere, and stays up.
                McpConnection onS1 = connectionOf(s1, client.sessionId());
                onS1.goAway(ErrorCode.NO_ERROR, "rebalancing");

                await().atMost(WAIT).until(() -> e2.equals(client.endpoint()));
                assertEquals(dials + 1, client.dialAttempts(), "straight to the next endpoint, no retry of the first");
                await().atMost(WAIT).until(() -> s1.connections().isEmpty());
                assertEquals(List.of(ClientState.CONNECTING, ClientState.CONNECTED, ClientState.RECONNECTING,
                        ClientState.CONNECTED), changes.stream().map(StateChange::current).toList());
                assertEquals(e2, changes.get(3).endpoint());

                // s2 never saw the session: the client subscribed again there, and publishes go there.
                deliveredThrough(s2, "on s2", received);
                try (McpClient other = McpClient.builder().address("127.0.0.1", e2.port()).connect()) {
                    List<Message> fromClient = new CopyOnWriteArrayList<>();
                    other.subscribe("replies/#", 1, fromClient::add).join();
                    client.publish("replies/1", 1, Payload.utf8("from client")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    await().atMost(WAIT).until(() -> fromClient.size() == 1);
                }
                assertTrue(s1.connections().isEmpty(), "nothing went back to s1");
            }
        }
    }

    /**
     * The server's connection that carries session {@code sessionId}. Not simply the first one:
     * the publisher {@link #deliveredThrough} just closed may still be draining on the server, and
     * the list's order is a hash set's.
     */
    private static McpConnection connectionOf(McpServer server, String sessionId) {
        return (McpConnection) await().atMost(WAIT).until(() -> server.connections().stream()
                .filter(c -> c.sessionId().equalsIgnoreCase(sessionId)).findFirst(), Optional::isPresent).get();
    }

    /** Publishes {@code text} to news/ through {@code server} until the client has received it. */
    private static void deliveredThrough(McpServer server, String text, List<String> received) {
        try (McpClient publisher = McpClient.builder().address("127.0.0.1", server.address().getPort()).connect()) {
            await().atMost(WAIT).until(() -> {
                publisher.publish("news/today", 1, false, Payload.utf8(text)).join();
                return received.contains(text);
            });
        }
    }
}
