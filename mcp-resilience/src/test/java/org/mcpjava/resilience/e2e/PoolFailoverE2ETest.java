package org.mcpjava.resilience.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.CallOptions;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.ConnectionHealth;
import org.mcpjava.resilience.ConnectionPool;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.SelectionStrategy;
import org.mcpjava.server.McpServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.resilience.e2e.Servers.ECHO;
import static org.mcpjava.resilience.e2e.Servers.WAIT;

/**
 * A pool over two servers keeps answering calls when one server process dies (SIGKILL: no GOAWAY,
 * connections just break): calls cut off are retried, and the dead server's connections move to
 * the live one.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PoolFailoverE2ETest {
    private static final int CALLS = 3_000;
    private static final int KILL_AFTER = 1_000;

    @TempDir
    Path dir;

    @Test
    void whenOneOfTwoServersDiesEveryCallStillSucceeds() throws Exception {
        try (ChildJvm doomed = ChildJvm.start(dir, "doomed", ServerMain.class, "0");
             McpServer survivor = Servers.memory(0)) {
            Endpoint dying = new Endpoint("127.0.0.1",
                    Integer.parseInt(doomed.awaitLine(l -> l.startsWith("LISTENING ")).substring(10)));
            Endpoint living = new Endpoint("127.0.0.1", survivor.address().getPort());
            try (ConnectionPool pool = ConnectionPool.builder().endpoints(List.of(dying, living))
                    .connectionsPerEndpoint(2).strategy(SelectionStrategy.LEAST_IN_FLIGHT)
                    .maxConcurrentRequests(8).reconnectPolicy(Servers.FAST)
                    .waitForReady(true).callTimeout(Duration.ofSeconds(20)).build().start()) {
                await().atMost(WAIT).until(() -> pool.health().stream().allMatch(h -> h.state() == ClientState.CONNECTED));
                assertEquals(2, pool.health().stream().filter(h -> dying.equals(h.endpoint())).count());

                Semaphore outstanding = new Semaphore(32);
                AtomicInteger ok = new AtomicInteger();
                List<CompletableFuture<Void>> calls = new ArrayList<>();
                for (int i = 0; i < CALLS; i++) {
                    outstanding.acquire();
                    String text = "call " + i;
                    calls.add(pool.call(ECHO, Payload.utf8(text), CallOptions.defaults()).thenAccept(reply -> {
                        try {
                            if (reply.toUtf8().equals(text)) {
                                ok.incrementAndGet();
                            }
                        } finally {
                            reply.release();
                        }
                    }).whenComplete((v, e) -> outstanding.release()));
                    if (i == KILL_AFTER) {
                        doomed.kill();
                    }
                }
                CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(CALLS, ok.get(), "every call answered, none failed");

                // All four connections now live on the surviving server.
                await().atMost(WAIT).until(() -> pool.health().stream().allMatch(h -> living.equals(h.endpoint())));
                assertEquals(4, survivor.connections().size());
                assertEquals(ClientState.CONNECTED, pool.state());
                for (ConnectionHealth h : pool.health()) {
                    assertTrue(h.inFlight() <= 8, "bound per connection: " + h);
                }
            }
        }
    }

    @Test
    void callsSpreadOverTheConnectionsAndRespectTheBound() throws Exception {
        try (McpServer a = Servers.memory(0); McpServer b = Servers.memory(0);
             ConnectionPool pool = ConnectionPool.builder()
                     .endpoints("127.0.0.1:" + a.address().getPort(), "127.0.0.1:" + b.address().getPort())
                     .strategy(SelectionStrategy.ROUND_ROBIN).maxConcurrentRequests(4).build().start()) {
            await().atMost(WAIT).until(() -> pool.health().stream().allMatch(h -> h.state() == ClientState.CONNECTED));
            List<CompletableFuture<Payload>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                calls.add(pool.call(ECHO, Payload.utf8("x" + i)));
            }
            for (int i = 0; i < calls.size(); i++) {
                Servers.assertReply("x" + i, calls.get(i));
            }
            assertEquals(1, a.connections().size());
            assertEquals(1, b.connections().size());
        }
    }
}
