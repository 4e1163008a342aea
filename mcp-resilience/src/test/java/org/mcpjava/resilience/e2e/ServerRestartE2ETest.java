package org.mcpjava.resilience.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.ResilientClient;
import org.mcpjava.resilience.StateChange;
import org.mcpjava.server.McpServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.resilience.e2e.Servers.WAIT;

/**
 * A server stopped and started again (same port, same SQLite session store) in the middle of a
 * 100,000-message QoS 1 run loses nothing: every message reaches the durable subscriber, and the
 * sessions of both clients are resumed rather than started anew.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerRestartE2ETest {
    private static final int MESSAGES = 100_000;
    private static final int RESTART_AFTER = 30_000;
    private static final int OFFLINE = 20_000;
    private static final int OUTSTANDING = 5_000;

    @TempDir
    Path dir;

    @Test
    void aServerRestartDuringAHundredThousandMessageRunLosesNothing() throws Exception {
        Path store = dir.resolve("server.db");
        ChildJvm server = ChildJvm.start(dir, "server", ServerMain.class, "0", store.toString());
        int port = Integer.parseInt(server.awaitLine(l -> l.startsWith("LISTENING ")).substring(10));
        String endpoint = "127.0.0.1:" + port;
        BitSet seen = new BitSet(MESSAGES);
        AtomicLong deliveries = new AtomicLong();
        List<StateChange> subscriberStates = new CopyOnWriteArrayList<>();
        List<StateChange> publisherStates = new CopyOnWriteArrayList<>();

        try (ResilientClient subscriber = Servers.client(endpoint)
                .clientId("restart-subscriber")
                .reconnectPolicy(Servers.FAST).sessionExpiry(Duration.ofMinutes(10))
                .stateListener(subscriberStates::add).build().start();
             ResilientClient publisher = Servers.client(endpoint).offlineQueue(dir.resolve("publisher-outbox.db"))
                     .clientId("restart-publisher")
                     .reconnectPolicy(Servers.FAST).sessionExpiry(Duration.ofMinutes(10))
                     .queueCapacity(MESSAGES).stateListener(publisherStates::add).build().start()) {
            subscriber.subscribe("load/#", 1, m -> {
                deliveries.incrementAndGet();
                synchronized (seen) {
                    seen.set((int) Servers.id(m.payload()));
                }
            }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Servers.awaitState(publisher::state, ClientState.CONNECTED);

            String subscriberSession = subscriber.sessionId();
            String publisherSession = publisher.sessionId();
            AtomicInteger failed = new AtomicInteger();
            CompletableFuture<?>[] acks = new CompletableFuture<?>[MESSAGES];
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    boolean offline = i >= RESTART_AFTER && i < RESTART_AFTER + OFFLINE;
                    if (!offline && i >= OUTSTANDING) {
                        acks[i - OUTSTANDING].get(WAIT.toSeconds(), TimeUnit.SECONDS); // paced, a window in flight
                    }
                    acks[i] = publisher.publish("load/" + (i % 16), 1, Servers.id(i))
                            .whenComplete((v, e) -> {
                                if (e != null) {
                                    failed.incrementAndGet();
                                }
                            });
                    if (i == RESTART_AFTER) {
                        // Stop while thousands are in flight...
                        server.send("STOP");
                        server.awaitLine("STOPPED"::equals);
                        Servers.awaitState(publisher::state, ClientState.RECONNECTING);
                    }
                    if (i == RESTART_AFTER + OFFLINE - 1) {
                        // ... keep publishing while it is down, then start it again.
                        assertTrue(publisher.queueStats().queued() >= OFFLINE, "queued offline");
                        server.send("START");
                        server.awaitLine(l -> l.startsWith("LISTENING "));
                    }
                }
                CompletableFuture.allOf(acks).get(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
                assertEquals(0, failed.get(), "every publish was acknowledged");
                await().atMost(WAIT.multipliedBy(2)).until(() -> {
                    synchronized (seen) {
                        return seen.cardinality() == MESSAGES;
                    }
                });
                assertEquals(0, publisher.queueStats().queued());
                assertTrue(deliveries.get() >= MESSAGES);
            } finally {
                server.close();
            }
            // Both were cut off and came back with their sessions resumed.
            assertTrue(publisherStates.stream().anyMatch(c -> c.current() == ClientState.RECONNECTING));
            assertTrue(subscriberStates.stream().anyMatch(c -> c.current() == ClientState.RECONNECTING));
            assertEquals(subscriberSession, subscriber.sessionId(), "the subscriber's session was resumed");
            assertEquals(publisherSession, publisher.sessionId(), "the publisher's session was resumed");
        }
    }
}
