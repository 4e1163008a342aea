package org.mcpjava.cli.net;

import org.mcpjava.cli.CliTester;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.core.Request;
import org.mcpjava.core.RequestHandler;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * An in-process {@link McpServer} on 127.0.0.1 and a free port (pub/sub on, with the broker's
 * default in-memory store), and {@code mcp} runs against it. {@link #close()} releases the
 * {@link #STUCK} handler's requests first, so nothing waits for a drain timeout.
 */
final class TestServer implements AutoCloseable {
    /** Generous guard for anything a test waits for; never a timing assertion. */
    static final Duration WAIT = Duration.ofSeconds(10);
    /** An opcode whose handler never answers on its own. */
    static final int STUCK = 0x0500;

    final McpServer server;
    final List<Request> stuckRequests = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<Payload>> stuck = new CopyOnWriteArrayList<>();

    TestServer() {
        this(b -> b);
    }

    TestServer(UnaryOperator<McpServer.Builder> config) {
        RequestHandler never = this::stuck;
        server = config.apply(McpServer.builder().host("127.0.0.1").port(0).handle(STUCK, never)).start();
    }

    private CompletionStage<Payload> stuck(Request request) {
        CompletableFuture<Payload> f = new CompletableFuture<>();
        stuck.add(f);
        stuckRequests.add(request);
        return f;
    }

    int port() {
        return server.address().getPort();
    }

    /** Runs {@code mcp COMMAND -H 127.0.0.1 -p PORT args...}. */
    CliTester.Result run(String command, String... args) {
        return CliTester.run(withAddress(port(), command, args));
    }

    static String[] withAddress(int port, String command, String... args) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.add("-H");
        all.add("127.0.0.1");
        all.add("-p");
        all.add(Integer.toString(port));
        all.addAll(Arrays.asList(args));
        return all.toArray(new String[0]);
    }

    /** A loopback port with nothing listening: bound, then closed. */
    static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (CompletableFuture<Payload> f : stuck) {
            f.completeExceptionally(new McpException(ErrorCode.CANCELLED, "test over"));
        }
        server.close();
    }
}
