package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.MetadataKey;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GOAWAY: accepted work finishes, new work is refused, both ends close cleanly. */
class ShutdownE2ETest {
    static final int GATED = 0x0100;

    private final Loopback loop = new Loopback();
    /** Every GATED request answers when this completes. */
    private final CompletableFuture<Void> gate = new CompletableFuture<>();
    private final AtomicInteger arrived = new AtomicInteger();
    private McpServer server;

    @BeforeEach
    void start() {
        server = loop.server(McpServer.builder().handle(GATED, request -> {
            arrived.incrementAndGet();
            String text = request.payload().toUtf8();
            return gate.thenApply(v -> Payload.utf8("done " + text));
        }));
        loop.beforeClose(() -> gate.complete(null));
    }

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    @Test
    void shutdownFinishesAcceptedCallsAndRefusesNewOnes() throws Exception {
        McpClient client = loop.client(server);
        List<CompletableFuture<Payload>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(client.call(GATED, Payload.utf8("call " + i), Loopback.WAIT));
        }
        await().atMost(Loopback.WAIT).until(() -> arrived.get() == 5);

        CompletableFuture<Void> shutdown = server.shutdown();
        assertTrue(server.isDraining());
        await().atMost(Loopback.WAIT).until(() -> !client.isActive()); // GOAWAY arrived
        McpException refused = assertThrows(McpException.class,
                () -> McpClient.await(client.call(0xFF01, Payload.utf8("too late"), Loopback.WAIT)));
        assertEquals(ErrorCode.UNAVAILABLE.code(), refused.code());
        assertFalse(shutdown.isDone(), "the server waits for the accepted calls");
        assertTrue(calls.stream().noneMatch(CompletableFuture::isDone));

        gate.complete(null);
        for (int i = 0; i < 5; i++) {
            Payload reply = McpClient.await(calls.get(i));
            try {
                assertEquals("done call " + i, reply.toUtf8());
            } finally {
                reply.release();
            }
        }
        shutdown.get(10, TimeUnit.SECONDS);
        client.closeFuture().get(10, TimeUnit.SECONDS);
        assertEquals(0, server.openSockets());
    }

    @Test
    void rawClientSeesGoawayWithItsLastStreamId() throws Exception {
        RawMcpSocket raw = loop.raw(server);
        raw.handshake();
        for (long id = 1; id <= 5; id += 2) {
            raw.sendRequest(id, GATED, ("r" + id).getBytes(StandardCharsets.UTF_8));
        }
        await().atMost(Loopback.WAIT).until(() -> arrived.get() == 3);
        CompletableFuture<Void> shutdown = server.shutdown();

        RawFrame goaway = raw.readFrame(FrameType.GOAWAY);
        assertEquals(0, goaway.streamId);
        assertEquals(ErrorCode.NO_ERROR.code(), goaway.errorCode());
        assertEquals(5, goaway.number(MetadataKey.LAST_STREAM_ID));

        // A request the peer should not have sent any more is refused, not processed.
        raw.sendRequest(7, GATED, "late".getBytes(StandardCharsets.UTF_8));
        raw.expectError(7, ErrorCode.UNAVAILABLE);
        assertEquals(3, arrived.get());

        gate.complete(null);
        Set<Long> answered = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            RawFrame answer = raw.readFrame(FrameType.RESPONSE);
            assertEquals("done r" + answer.streamId, answer.payloadUtf8());
            answered.add(answer.streamId);
        }
        assertEquals(Set.of(1L, 3L, 5L), answered);
        raw.expectEof();
        shutdown.get(10, TimeUnit.SECONDS);
    }

    @Test
    void clientCloseWaitsForItsCallsInFlight() throws Exception {
        McpClient client = McpClient.builder().address("127.0.0.1", server.address().getPort()).connect();
        CompletableFuture<Payload> call = client.call(GATED, Payload.utf8("last words"), Loopback.WAIT);
        await().atMost(Loopback.WAIT).until(() -> arrived.get() == 1);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(client::close);
        await().atMost(Loopback.WAIT).until(() -> !client.isActive());
        assertFalse(call.isDone());

        gate.complete(null);
        Payload reply = McpClient.await(call);
        try {
            assertEquals("done last words", reply.toUtf8());
        } finally {
            reply.release();
        }
        closing.get(10, TimeUnit.SECONDS);
        assertTrue(client.closeFuture().isDone());
        await().atMost(Loopback.WAIT).until(() -> server.openSockets() == 0 && server.connections().isEmpty());
    }

    @Test
    void serverCloseWithIdleClientsClosesThemAll() throws Exception {
        List<McpClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(loop.client(server));
        }
        await().atMost(Loopback.WAIT).until(() -> server.connections().size() == 3);
        server.close();
        for (McpClient c : clients) {
            c.closeFuture().get(10, TimeUnit.SECONDS);
            assertFalse(c.isActive());
            McpException e = assertThrows(McpException.class,
                    () -> McpClient.await(c.call(0xFF01, Payload.empty(), Loopback.WAIT)));
            assertEquals(ErrorCode.UNAVAILABLE.code(), e.code());
        }
        server.close(); // idempotent
    }

    @Test
    void idleClientCloseIsGraceful() throws Exception {
        McpClient client = McpClient.builder().address("127.0.0.1", server.address().getPort()).connect();
        await().atMost(Loopback.WAIT).until(() -> server.connections().size() == 1);
        client.close();
        assertTrue(client.closeFuture().isDone());
        await().atMost(Loopback.WAIT).until(() -> server.connections().isEmpty());
        Loopback.assertEcho(loop.client(server), "server keeps serving");
    }

    @Test
    void closedClientFailsCallsWithUnavailable() {
        McpClient client = McpClient.builder().address("127.0.0.1", server.address().getPort()).connect();
        client.close();
        client.close(); // idempotent
        McpException call = assertThrows(McpException.class,
                () -> McpClient.await(client.call(0xFF01, Payload.utf8("anyone?"), Loopback.WAIT)));
        assertEquals(ErrorCode.UNAVAILABLE.code(), call.code());
        McpException notify = assertThrows(McpException.class,
                () -> McpClient.await(client.notify(0x0001, Payload.utf8("anyone?"))));
        assertEquals(ErrorCode.UNAVAILABLE.code(), notify.code());
        McpException ping = assertThrows(McpException.class, () -> McpClient.await(client.ping()));
        assertEquals(ErrorCode.UNAVAILABLE.code(), ping.code());
    }

    @Test
    void halfCloseStillGetsTheAnswersInFlight() throws Exception {
        RawMcpSocket raw = loop.raw(server);
        raw.handshake();
        raw.sendRequest(1, GATED, "before half-close".getBytes(StandardCharsets.UTF_8));
        await().atMost(Loopback.WAIT).until(() -> arrived.get() == 1);
        raw.shutdownOutput();
        gate.complete(null);
        RawFrame answer = raw.readAnswer(1);
        assertEquals(FrameType.RESPONSE, answer.type, () -> "got " + answer);
        assertEquals("done before half-close", answer.payloadUtf8());
        raw.expectEof();
        await().atMost(Loopback.WAIT).until(() -> server.openSockets() == 0);
    }
}
