package org.mcpjava.resilience.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.CallOptions;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.ConnectionPool;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.InMemoryOfflineQueue;
import org.mcpjava.resilience.ManualScheduler;
import org.mcpjava.resilience.ResilientClient;
import org.mcpjava.resilience.StateChange;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.resilience.e2e.Servers.ECHO;
import static org.mcpjava.resilience.e2e.Servers.WAIT;
import static org.mcpjava.resilience.e2e.Servers.assertReply;
import static org.mcpjava.resilience.e2e.Servers.awaitState;
import static org.mcpjava.resilience.e2e.Servers.failureCode;

/**
 * Servers that refuse the handshake, over loopback: a terminal refusal (bad token, another
 * principal's session) ends the client after one dial per endpoint, with the server's code for the
 * listeners and for whoever waits, and leaves the offline queue intact; a transient one (OVERLOADED
 * at the connection limit) is retried. The clients run on a clock moved by hand, so "no retry" is
 * seen as "no timer", not as time passing without a dial.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RefusalE2ETest {
    /** A deadline far beyond the test: only the refusal can end a call that waits. */
    private static final CallOptions WAIT_LONG = CallOptions.defaults().waitForReady(true).timeout(Duration.ofHours(1));

    /** A server that accepts only {@code token}, counting the handshakes it refuses. */
    private static McpServer withToken(String token, AtomicInteger refusals) {
        return McpServer.builder().host("127.0.0.1").port(0).drainTimeout(Duration.ofSeconds(2)).authTokens(token)
                .observer(new EngineObserver() {
                    @Override
                    public void handshakeFailed(SocketAddress remote, int code) {
                        refusals.incrementAndGet();
                    }
                }).start();
    }

    private static String address(McpServer server) {
        return "127.0.0.1:" + server.address().getPort();
    }

    private static int code(Throwable t) {
        return McpException.find(t).code();
    }

    @Test
    void aBadTokenEndsTheClientAfterOneDialAndTheQueuedMessageWaitsForAGoodOne() throws Exception {
        AtomicInteger refusals = new AtomicInteger();
        InMemoryOfflineQueue queue = new InMemoryOfflineQueue();
        ManualScheduler clock = new ManualScheduler();
        List<StateChange> changes = new CopyOnWriteArrayList<>();
        try (McpServer server = withToken("right", refusals)) {
            ResilientClient client = ResilientClient.builder().endpoints(address(server)).offlineQueue(queue)
                    .clientConfig(b -> b.authToken("wrong")).scheduler(clock).stateListener(changes::add).build();
            try (client) {
                CompletableFuture<Void> published = client.publish("orders/1", 1, Payload.utf8("keep me"));
                client.start();
                CompletableFuture<Payload> waiting = client.call(ECHO, Payload.utf8("x"), WAIT_LONG);

                assertEquals(ErrorCode.UNAUTHENTICATED.code(), failureCode(waiting), "the waiting call learns why");
                awaitState(client::state, ClientState.CLOSED);
                assertEquals(1, client.dialAttempts());
                assertEquals(1, refusals.get());
                assertEquals(List.of(), clock.pendingDelays(), "no retry is scheduled");
                clock.advance(Duration.ofHours(2));
                assertEquals(1, client.dialAttempts());

                StateChange last = changes.get(changes.size() - 1);
                assertEquals(List.of(ClientState.CONNECTING, ClientState.CLOSED),
                        changes.stream().map(StateChange::current).toList());
                assertEquals(ErrorCode.UNAUTHENTICATED.code(), code(last.cause()));
                assertEquals(server.address().getPort(), last.endpoint().port());

                assertEquals(ErrorCode.UNAUTHENTICATED.code(), failureCode(published), "its future fails ...");
                assertEquals(1, queue.recover().size(), "... but the message stays in the queue");
                assertEquals(ErrorCode.UNAUTHENTICATED.code(), failureCode(client.call(ECHO, Payload.utf8("later"))));
            }

            // A later client on the same queue, with the right token, sends it.
            List<String> received = new CopyOnWriteArrayList<>();
            try (McpClient subscriber = McpClient.builder().address("127.0.0.1", server.address().getPort())
                    .authToken("right").clientId("subscriber").connect();
                 ResilientClient fixed = ResilientClient.builder().endpoints(address(server)).offlineQueue(queue)
                         .clientConfig(b -> b.authToken("right")).build()) {
                subscriber.subscribe("orders/#", 1, m -> received.add(m.payloadAsString())).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                fixed.start();
                await().atMost(WAIT).until(() -> received.contains("keep me"));
                await().atMost(WAIT).until(() -> queue.recover().isEmpty());
            }
        }
    }

    @Test
    void resumingAnotherPrincipalsSessionIsRefusedForGoodAndTheOwnerKeepsIt() {
        try (McpServer server = Servers.memory(0);
             ResilientClient alice = Servers.client(address(server)).clientId("alice").build().start()) {
            awaitState(alice::state, ClientState.CONNECTED);
            ManualScheduler clock = new ManualScheduler();
            try (ResilientClient bob = Servers.client(address(server)).clientId("bob").resumeSession(alice.sessionId())
                    .scheduler(clock).build().start()) {
                CompletableFuture<Integer> subscribed = bob.subscribe("alice/#", 1, m -> { });
                awaitState(bob::state, ClientState.CLOSED);
                assertEquals(ErrorCode.PERMISSION_DENIED.code(), failureCode(subscribed));
                assertEquals(1, bob.dialAttempts());
                assertEquals(List.of(), clock.pendingDelays());
            }
            assertEquals(ClientState.CONNECTED, alice.state());
            assertEquals(1, alice.dialAttempts());
            assertReply("still alice's", alice.call(ECHO, Payload.utf8("still alice's")));
        }
    }

    @Test
    void withNoTerminalRefusalsABadTokenIsRetried() {
        AtomicInteger refusals = new AtomicInteger();
        ManualScheduler clock = new ManualScheduler();
        try (McpServer server = withToken("right", refusals);
             ResilientClient client = Servers.client(address(server)).clientConfig(b -> b.authToken("wrong"))
                     .terminalRefusals().scheduler(clock).build().start()) {
            await().atMost(WAIT).until(() -> !clock.pendingDelays().isEmpty());
            assertEquals(ClientState.CONNECTING, client.state());
            clock.advanceToNextTimer();
            await().atMost(WAIT).until(() -> refusals.get() == 2 && !clock.pendingDelays().isEmpty());
            assertEquals(ClientState.CONNECTING, client.state());
        }
    }

    @Test
    void overloadedAtTheConnectionLimitIsRetriedUntilThereIsRoom() {
        ManualScheduler clock = new ManualScheduler();
        try (McpServer server = McpServer.builder().host("127.0.0.1").port(0).maxConnections(1, 1000).start()) {
            McpClient blocker = McpClient.builder().address("127.0.0.1", server.address().getPort()).connect();
            try (ResilientClient client = Servers.client(address(server)).scheduler(clock).build().start()) {
                // Refused (OVERLOADED): a retry is scheduled, and the state stays CONNECTING.
                await().atMost(WAIT).until(() -> !clock.pendingDelays().isEmpty());
                assertEquals(1, client.dialAttempts());
                assertEquals(ClientState.CONNECTING, client.state());
                clock.advanceToNextTimer();
                await().atMost(WAIT).until(() -> client.dialAttempts() == 2 && !clock.pendingDelays().isEmpty());
                assertEquals(ClientState.CONNECTING, client.state());

                blocker.close();
                await().atMost(WAIT).until(() -> {
                    if (client.state() != ClientState.CONNECTED && !clock.pendingDelays().isEmpty()) {
                        clock.advanceToNextTimer();
                    }
                    return client.state() == ClientState.CONNECTED;
                });
                assertTrue(client.dialAttempts() >= 3);
                assertReply("in", client.call(ECHO, Payload.utf8("in")));
            } finally {
                blocker.close();
            }
        }
    }

    @Test
    void aPoolRefusedEverywhereStopsAndItsWaitingCallsFail() {
        AtomicInteger refusals = new AtomicInteger();
        ManualScheduler clock = new ManualScheduler();
        try (McpServer server = withToken("right", refusals);
             ConnectionPool pool = ConnectionPool.builder().endpoints(address(server)).connectionsPerEndpoint(2)
                     .clientConfig(b -> b.authToken("wrong")).scheduler(clock).build()) {
            pool.start();
            CompletableFuture<Payload> waiting = pool.call(ECHO, Payload.utf8("x"), WAIT_LONG);
            assertEquals(ErrorCode.UNAUTHENTICATED.code(), failureCode(waiting));
            awaitState(pool::state, ClientState.CLOSED);
            assertEquals(2, refusals.get(), "one dial per connection");
            assertEquals(List.of(), clock.pendingDelays());
            assertTrue(pool.health().stream().allMatch(h -> h.state() == ClientState.CLOSED));
        }
    }

    @Test
    void aPoolSlotRefusedByOneEndpointMovesToTheOthers() {
        AtomicInteger refusedByB = new AtomicInteger();
        try (McpServer a = withToken("right", new AtomicInteger());
             McpServer b = withToken("other", refusedByB);
             ConnectionPool pool = ConnectionPool.builder().endpoints(address(a), address(b)).connectionsPerEndpoint(2)
                     .clientConfig(c -> c.authToken("right")).build().start()) {
            Endpoint ea = Endpoint.parse(address(a));
            await().atMost(WAIT).until(() -> pool.health().stream().allMatch(h -> ea.equals(h.endpoint())));
            assertEquals(ClientState.CONNECTED, pool.state());
            assertEquals(2, refusedByB.get(), "each slot that prefers b tried it once");
            assertReply("via a", pool.call(ECHO, Payload.utf8("via a")));
        }
    }
}
