package org.mcpjava.resilience.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.ResilientClient;
import org.mcpjava.server.McpServer;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.mcpjava.resilience.e2e.Servers.WAIT;

/**
 * A client process publishing into its SQLite offline queue during an outage is killed (SIGKILL)
 * before the server comes back; a new process on the same queue file sends everything the first
 * one had queued. Synchronises on the victims' output, never on time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClientKillE2ETest {
    private static final int MESSAGES = 5_000;

    @TempDir
    Path dir;

    @Test
    void messagesQueuedByAKilledProcessAreSentByTheNextOne() throws Exception {
        Path queue = dir.resolve("outbox.db");
        int port = Servers.freePort();
        BitSet seen = new BitSet();
        AtomicBoolean probeSeen = new AtomicBoolean();
        McpServer server = Servers.durable(port, dir.resolve("server-1.db"));
        try (ResilientClient subscriber = Servers.client("127.0.0.1:" + port)
                .reconnectPolicy(Servers.FAST).build().start()) {
            subscriber.subscribe("kill/#", 1, m -> {
                if (m.topic().equals("kill/probe")) {
                    probeSeen.set(true);
                    return;
                }
                synchronized (seen) {
                    seen.set((int) Servers.id(m.payload()));
                }
            }).get(WAIT.toSeconds(), TimeUnit.SECONDS);

            // The victim connects, then the server goes away and it publishes into its queue.
            try (ChildJvm victim = ChildJvm.start(dir, "victim", QueueingPublisherMain.class, Integer.toString(port),
                    queue.toString())) {
                assertEquals("RECOVERED 0", victim.awaitLine(l -> l.startsWith("RECOVERED")));
                victim.awaitLine(l -> QueueingPublisherMain.isState(l, ClientState.CONNECTED));
                server.close();
                victim.awaitLine(l -> QueueingPublisherMain.isState(l, ClientState.RECONNECTING));
                victim.send("PUBLISH 0 " + MESSAGES);
                assertEquals("QUEUED " + MESSAGES + " RECONNECTING", victim.awaitLine(l -> l.startsWith("QUEUED")));
                victim.kill();
                assertNotEquals(0, victim.exitValue(), "killed, not ended");
            }

            // The server is back; the subscriber subscribed again (a new server knows no session).
            server = Servers.durable(port, dir.resolve("server-2.db"));
            try (McpClient prober = McpClient.builder().address("127.0.0.1", port).connect()) {
                await().atMost(WAIT).until(() -> {
                    prober.publish("kill/probe", 1, false, Payload.utf8("probe")).join();
                    return probeSeen.get();
                });
            }
            synchronized (seen) {
                assertEquals(0, seen.cardinality(), "nothing arrived before the second process started");
            }

            // A new process on the same queue file sends what the killed one queued.
            try (ChildJvm heir = ChildJvm.start(dir, "heir", QueueingPublisherMain.class, Integer.toString(port),
                    queue.toString())) {
                assertEquals("RECOVERED " + MESSAGES, heir.awaitLine(l -> l.startsWith("RECOVERED")));
                await().atMost(WAIT).until(() -> {
                    synchronized (seen) {
                        return seen.cardinality() == MESSAGES;
                    }
                });
                // and, once the server acknowledged them all, its queue is empty
                await().atMost(WAIT).until(() -> {
                    heir.send("ACKED");
                    String acked = heir.awaitLine(l -> l.startsWith("ACKED"));
                    return acked.endsWith("QUEUED 0");
                });
            }
        } finally {
            server.close();
        }
    }
}
