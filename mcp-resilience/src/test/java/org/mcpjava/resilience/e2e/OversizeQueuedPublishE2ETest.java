package org.mcpjava.resilience.e2e;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.InMemoryOfflineQueue;
import org.mcpjava.resilience.ResilientClient;
import org.mcpjava.server.McpServer;
import org.mcpjava.store.sqlite.SqliteSessionStore;
import org.mcpjava.wire.ErrorCode;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mcpjava.resilience.e2e.Servers.WAIT;

/**
 * A message in the offline queue that turns out, after a reconnect, to be larger than the server's
 * MAX_FRAME is a final failure, like an expired one: its future (if the caller's is still around)
 * fails with FRAME_TOO_LARGE, it leaves the queue (and the journal), and the rest of the queue
 * drains in order. It does not sit at the head of the queue for ever.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OversizeQueuedPublishE2ETest {
    private static final int SMALL_FRAME = 1024;

    @TempDir
    Path dir;

    /** A server on 127.0.0.1:{@code port} with sessions in {@code store} and the given MAX_FRAME. */
    private static McpServer server(int port, Path store, int maxFrame) {
        return McpServer.builder().host("127.0.0.1").port(port).drainTimeout(Duration.ofSeconds(2)).maxFrame(maxFrame)
                .broker(BrokerOptions.builder().store(SqliteSessionStore.open(store)).build())
                .start();
    }

    /** Message {@code id} as the first 8 of {@code size} payload bytes. */
    private static byte[] message(long id, int size) {
        return ByteBuffer.allocate(size).putLong(id).array();
    }

    private ResilientClient.Builder publisher(String endpoint, String queue, InMemoryOfflineQueue memory) {
        ResilientClient.Builder b = Servers.client(endpoint).clientId("pub").reconnectPolicy(Servers.FAST);
        return queue.equals("sqlite") ? b.offlineQueue(dir.resolve("outbox.db")) : b.offlineQueue(memory);
    }

    @ParameterizedTest(name = "{0} queue")
    @ValueSource(strings = {"sqlite", "memory"})
    void aQueuedMessageTooLargeForTheServerIsFailedAndRemovedAndTheRestIsDeliveredInOrder(String queue)
            throws Exception {
        Path store = dir.resolve("server.db");
        McpServer server = server(0, store, 4 * 1024 * 1024);
        int port = server.address().getPort();
        String endpoint = "127.0.0.1:" + port;
        InMemoryOfflineQueue memory = new InMemoryOfflineQueue();
        List<Long> received = new CopyOnWriteArrayList<>();
        try (ResilientClient subscriber = Servers.client(endpoint).clientId("sub").reconnectPolicy(Servers.FAST)
                .sessionExpiry(Duration.ofMinutes(5)).build().start()) {
            subscriber.subscribe("big/#", 1, m -> received.add(Servers.id(m.payload())))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);

            // A client whose queued messages outlive it: the head is too large for the server to come.
            try (ResilientClient first = publisher(endpoint, queue, memory).build().start()) {
                Servers.awaitState(first::state, ClientState.CONNECTED);
                server.close();
                Servers.awaitState(first::state, ClientState.RECONNECTING);
                first.publish("big/t", 1, message(0, 2 * SMALL_FRAME));
                first.publish("big/t", 1, message(1, 8));
                first.flush().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }

            // The next client on the queue, with messages of its own around another too-large one.
            ResilientClient second = publisher(endpoint, queue, memory).build();
            try {
                CompletableFuture<Void> tooLarge = second.publish("big/t", 1, message(2, 2 * SMALL_FRAME));
                CompletableFuture<Void> last = second.publish("big/t", 1, message(3, 8));
                server = server(port, store, SMALL_FRAME); // same sessions, a smaller MAX_FRAME
                second.start();

                assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), Servers.failureCode(tooLarge));
                last.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> received.size() >= 2);
                assertEquals(List.of(1L, 3L), received, "the rest, in order");
                await().atMost(WAIT).until(() -> second.queueStats().queued() == 0);
                assertEquals(2, second.queueStats().dropped(), "both too-large messages given up");
                assertEquals(ClientState.CONNECTED, second.state(), "the server never saw them");
            } finally {
                second.close();
            }
        } finally {
            server.close();
        }
        if (queue.equals("memory")) {
            assertEquals(0, memory.size(), "nothing left for a later client");
        }
    }
}
