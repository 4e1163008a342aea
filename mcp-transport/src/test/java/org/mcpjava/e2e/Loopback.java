package org.mcpjava.e2e;

import org.mcpjava.client.McpClient;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Servers, clients and raw sockets on 127.0.0.1 for one test, closed in reverse order of creation
 * by {@link #close()} (after the {@link #beforeClose(Runnable)} hooks, which typically release
 * stuck handlers so that nothing waits for a drain timeout).
 */
final class Loopback implements AutoCloseable {
    /** Generous guard for anything a test waits for; never a timing assertion. */
    static final Duration WAIT = Duration.ofSeconds(10);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final List<Runnable> beforeClose = new ArrayList<>();

    /** Starts {@code builder}'s server on 127.0.0.1 and a free port. */
    McpServer server(McpServer.Builder builder) {
        return track(builder.host("127.0.0.1").port(0).start());
    }

    /** A client of {@code server} with default settings. */
    McpClient client(McpServer server) {
        return client(server, b -> b);
    }

    /** A client of {@code server}, configured by {@code config}. */
    McpClient client(McpServer server, UnaryOperator<McpClient.Builder> config) {
        McpClient.Builder b = McpClient.builder().address("127.0.0.1", server.address().getPort())
                .callTimeout(WAIT);
        return track(config.apply(b).connect());
    }

    /** A raw socket connected to {@code server} (no handshake yet). */
    RawMcpSocket raw(McpServer server) throws IOException {
        return track(RawMcpSocket.connect(server.address()));
    }

    /** Closes {@code resource} with the others. */
    <T extends AutoCloseable> T track(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Runs {@code hook} before anything is closed. */
    void beforeClose(Runnable hook) {
        beforeClose.add(hook);
    }

    /** ECHO of {@code text} through {@code client}, asserting the reply. */
    static void assertEcho(McpClient client, String text) {
        Payload reply = McpClient.await(client.call(0xFF01, Payload.utf8(text), WAIT));
        try {
            assertEquals(text, reply.toUtf8());
        } finally {
            reply.release();
        }
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (Runnable hook : beforeClose) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
