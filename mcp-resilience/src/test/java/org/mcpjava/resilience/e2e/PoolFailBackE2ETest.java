package org.mcpjava.resilience.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.ConnectionHealth;
import org.mcpjava.resilience.ConnectionPool;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.StateChange;
import org.mcpjava.server.McpServer;

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

/**
 * A pool over two servers, two connections each. Server B stops: its connections move to A and
 * calls go on. B starts again on the same port: within the reconnect backoff the two connections
 * that prefer B move back to it, and the connections they leave on A are drained and closed.
 *
 * <p>Two streams of calls: ECHO calls run throughout (retried as idempotent, which calls caught by
 * the stopping server's GOAWAY need); calls that are never retried run through the whole
 * fail-back, their replies delayed so that calls are in flight on the connections being left.
 * Neither has a failure.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PoolFailBackE2ETest {
    /** Echoes after a short delay; not in the retry policy's idempotent opcodes, so never retried. */
    private static final int SLOW_ECHO = 0x0100;

    private final AtomicInteger handledByB = new AtomicInteger();

    private McpServer server(int port, AtomicInteger handled) {
        return McpServer.builder().host("127.0.0.1").port(port).drainTimeout(Duration.ofSeconds(2))
                .handle(SLOW_ECHO, request -> {
                    handled.incrementAndGet();
                    String text = request.payload().toUtf8();
                    return CompletableFuture.supplyAsync(() -> Payload.utf8(text),
                            CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
                }).start();
    }

    @Test
    void whenTheDeadServerReturnsItsConnectionsMoveBackWithoutAFailedCall() throws Exception {
        List<StateChange> poolStates = new CopyOnWriteArrayList<>();
        try (McpServer a = server(0, new AtomicInteger())) {
            McpServer b = server(0, handledByB);
            int portB = b.address().getPort();
            Endpoint endpointA = new Endpoint("127.0.0.1", a.address().getPort());
            Endpoint endpointB = new Endpoint("127.0.0.1", portB);
            try (ConnectionPool pool = ConnectionPool.builder().endpoints(List.of(endpointA, endpointB))
                    .connectionsPerEndpoint(2).reconnectPolicy(Servers.FAST)
                    .callTimeout(Duration.ofSeconds(20)).stateListener(poolStates::add).build().start()) {
                await().atMost(WAIT).until(() -> onEndpoints(pool, endpointA, endpointB, 2, 2));

                // B stops (GOAWAY, drain): its two connections fail over to A, calls go on.
                try (CallStream echoes = new CallStream(pool, ECHO, 16, "echo-stream")) {
                    int before = echoes.ok();
                    b.close();
                    await().atMost(WAIT).until(() -> onEndpoints(pool, endpointA, endpointB, 4, 0));
                    await().atMost(WAIT).until(() -> echoes.ok() > before + 100);
                    assertEquals(4, a.connections().size());

                    // B returns on the same port while a stream of calls that are never retried runs.
                    try (CallStream calls = new CallStream(pool, SLOW_ECHO, 32, "slow-echo-stream")) {
                        await().atMost(WAIT).until(() -> calls.ok() > 100);
                        handledByB.set(0);
                        McpServer back = server(portB, handledByB);
                        b = back;
                        await().atMost(WAIT).until(() -> onEndpoints(pool, endpointA, endpointB, 2, 2));
                        // the connections left on A were drained and closed
                        await().atMost(WAIT).until(() -> a.connections().size() == 2 && back.connections().size() == 2);
                        int afterFailBack = calls.ok();
                        await().atMost(WAIT).until(() -> calls.ok() > afterFailBack + 100 && handledByB.get() > 0);
                        calls.close();
                        assertEquals(List.of(), calls.failures(), "no call failed during the fail-back");
                    }
                    echoes.close();
                    assertEquals(List.of(), echoes.failures(), "no call failed during the failover and fail-back");
                }
                assertTrue(poolStates.stream().noneMatch(c -> c.current() == ClientState.RECONNECTING),
                        "the pool stayed connected: " + poolStates);
                for (ConnectionHealth h : pool.health()) {
                    assertEquals(ClientState.CONNECTED, h.state());
                }
            } finally {
                b.close();
            }
        }
    }

    /** Whether every slot is connected, {@code onA} of them to {@code a} and {@code onB} to {@code b}. */
    private static boolean onEndpoints(ConnectionPool pool, Endpoint a, Endpoint b, int onA, int onB) {
        List<ConnectionHealth> slots = pool.health();
        return slots.stream().allMatch(h -> h.state() == ClientState.CONNECTED)
                && slots.stream().filter(h -> a.equals(h.endpoint())).count() == onA
                && slots.stream().filter(h -> b.equals(h.endpoint())).count() == onB;
    }
}
