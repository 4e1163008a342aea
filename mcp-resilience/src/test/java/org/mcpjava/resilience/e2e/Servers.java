package org.mcpjava.resilience.e2e;

import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.InMemoryOfflineQueue;
import org.mcpjava.resilience.ResilientClient;
import org.mcpjava.resilience.ReconnectPolicy;
import org.mcpjava.server.McpServer;
import org.mcpjava.store.sqlite.SqliteSessionStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Loopback servers and small helpers shared by the end-to-end tests. */
public final class Servers {
    /** Generous guard for anything a test waits for; never a timing assertion. */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final int ECHO = 0xFF01;
    /** Quick reconnects for tests: 50 ms, x1.5, up to 500 ms. */
    static final ReconnectPolicy FAST = ReconnectPolicy.defaults().initialDelay(Duration.ofMillis(50))
            .maxDelay(Duration.ofMillis(500)).pauseAfter(0, Duration.ofMinutes(1));

    private Servers() {
    }

    /**
     * A client builder with its offline queue in memory, so tests that do not look at the queue
     * write no files and several clients can share the default client id.
     */
    static ResilientClient.Builder client(String... endpoints) {
        return ResilientClient.builder().endpoints(endpoints).offlineQueue(new InMemoryOfflineQueue());
    }

    /** A port nothing listens on (now). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A server on 127.0.0.1:{@code port} (0 for any) with an in-memory broker: for calls only. Under
     * concurrent publishes and acknowledgements the in-memory session store can deadlock (its
     * {@code group} holds the store's lock while the broker takes a session's, and a PUBACK takes
     * them the other way round), so tests with pub/sub traffic use {@link #durable}.
     */
    static McpServer memory(int port) {
        return McpServer.builder().host("127.0.0.1").port(port).drainTimeout(Duration.ofSeconds(2)).start();
    }

    /** A server on 127.0.0.1:{@code port} whose sessions live in the SQLite file {@code store}. */
    static McpServer durable(int port, Path store) {
        return McpServer.builder().host("127.0.0.1").port(port).drainTimeout(Duration.ofSeconds(2))
                .broker(BrokerOptions.builder().store(SqliteSessionStore.open(store)).build())
                .start();
    }

    /** Waits until {@code state} reports {@code expected}. */
    static void awaitState(Supplier<ClientState> state, ClientState expected) {
        await().atMost(WAIT).until(() -> state.get() == expected);
    }

    /** The error code {@code f} failed with. */
    static int failureCode(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, () -> f.orTimeout(WAIT.toSeconds(),
                java.util.concurrent.TimeUnit.SECONDS).join());
        McpException m = McpException.find(e);
        if (m == null) {
            throw new AssertionError("not an McpException", e);
        }
        return m.code();
    }

    /** Asserts that {@code reply} carries {@code text}, and releases it. */
    static void assertReply(String text, CompletableFuture<Payload> reply) {
        Payload p = reply.orTimeout(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join();
        try {
            assertEquals(text, p.toUtf8());
        } finally {
            p.release();
        }
    }

    /** A message id as its 8 payload bytes. */
    public static byte[] id(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    /** The message id in 8 payload bytes. */
    static long id(byte[] payload) {
        return ByteBuffer.wrap(payload).getLong();
    }
}
