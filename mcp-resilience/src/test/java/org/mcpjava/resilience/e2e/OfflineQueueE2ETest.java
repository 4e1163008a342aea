package org.mcpjava.resilience.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.core.McpException;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.InMemoryOfflineQueue;
import org.mcpjava.resilience.ResilientClient;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.mcpjava.resilience.e2e.Servers.WAIT;

/** Messages published while disconnected are kept, and sent in order once connected. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OfflineQueueE2ETest {
    private static final int MESSAGES = 2_000;

    @TempDir
    Path dir;

    @Test
    void messagesPublishedDuringAnOutageArriveInOrderOnceTheServerIsBack() throws Exception {
        Path store = dir.resolve("server.db");
        McpServer server = Servers.durable(0, store);
        int port = server.address().getPort();
        String endpoint = "127.0.0.1:" + port;
        List<Long> received = new CopyOnWriteArrayList<>();
        try (ResilientClient subscriber = Servers.client(endpoint).reconnectPolicy(Servers.FAST)
                .sessionExpiry(Duration.ofMinutes(5)).build().start();
             ResilientClient publisher = Servers.client(endpoint).reconnectPolicy(Servers.FAST)
                     .offlineQueue(dir.resolve("outbox.db")).build().start()) {
            subscriber.subscribe("ordered/#", 1, m -> received.add(Servers.id(m.payload())))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Servers.awaitState(publisher::state, ClientState.CONNECTED);
            server.close();
            Servers.awaitState(publisher::state, ClientState.RECONNECTING);

            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (long i = 0; i < MESSAGES; i++) {
                acks.add(publisher.publish("ordered/" + (i % 4), 1, Servers.id(i)));
            }
            publisher.flush().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(MESSAGES, publisher.queueStats().queued());
            assertFalse(acks.stream().anyMatch(CompletableFuture::isDone), "nothing fails for lack of a connection");

            server = Servers.durable(port, store); // the subscriber's session (and subscription) survived
            CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> received.size() >= MESSAGES);
            assertEquals(LongStream.range(0, MESSAGES).boxed().toList(), received, "all, once, in order");
        } finally {
            server.close();
        }
    }

    @Test
    void whatAClosedClientLeftIsSentByTheNextOneFirstAndTheQueueIsBounded() throws Exception {
        InMemoryOfflineQueue queue = new InMemoryOfflineQueue();
        int port = Servers.freePort();
        List<CompletableFuture<Void>> first = new ArrayList<>();
        try (ResilientClient a = Servers.client("127.0.0.1:" + port).offlineQueue(queue)
                .queueCapacity(100).reconnectPolicy(Servers.FAST).build().start()) {
            for (long i = 0; i < 100; i++) {
                first.add(a.publish("left/x", 1, Servers.id(i)));
            }
            CompletableFuture<Void> overflow = a.publish("left/x", 1, Servers.id(100));
            assertEquals(ErrorCode.QUOTA_EXCEEDED.code(), Servers.failureCode(overflow), "REJECT_NEW by default");
        }
        for (CompletableFuture<Void> f : first) {
            assertEquals(ErrorCode.UNAVAILABLE.code(), Servers.failureCode(f), "closed before acknowledged");
        }
        assertEquals(100, queue.size(), "kept for the next client");

        List<Long> received = new CopyOnWriteArrayList<>();
        try (McpServer server = Servers.durable(port, dir.resolve("s.db"));
             ResilientClient sub = Servers.client("127.0.0.1:" + port).build().start()) {
            sub.subscribe("left/#", 1, m -> received.add(Servers.id(m.payload()))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            ResilientClient b = Servers.client("127.0.0.1:" + port).offlineQueue(queue).build();
            try {
                CompletableFuture<Void> newer = b.publish("left/x", 1, Servers.id(100)); // before start: after the old ones
                b.start();
                newer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> received.size() >= 101);
                assertEquals(LongStream.rangeClosed(0, 100).boxed().toList(), received);
                await().atMost(WAIT).until(() -> queue.size() == 0);
            } finally {
                b.close();
            }
        }
    }

    @Test
    void aBadTopicFailsAtOnceInsteadOfWaitingInTheQueue() {
        try (ResilientClient c = Servers.client("127.0.0.1:" + Servers.freePort()).build()) {
            assertEquals(ErrorCode.TOPIC_INVALID.code(), Servers.failureCode(c.publish("bad/+/topic", 1, new byte[0])));
            assertEquals(0, c.queueStats().queued());
        } catch (McpException e) {
            throw new AssertionError(e);
        }
    }
}
