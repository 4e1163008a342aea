package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Connection;
import org.mcpjava.core.Handlers;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.core.Request;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.MetadataKey;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both peers call and notify each other; server-initiated stream ids are even. */
class BidirectionalE2ETest {
    static final int CALLBACK = 0x0200;
    static final int ASK_CLIENT = 0x0300;
    static final int TO_SERVER = 0x0400;
    static final int TO_CLIENT = 0x0401;

    private final Loopback loop = new Loopback();
    private final List<String> serverNotified = new CopyOnWriteArrayList<>();
    private final CountDownLatch serverNotifyLatch = new CountDownLatch(1);
    private McpServer server;

    @BeforeEach
    void start() {
        server = loop.server(McpServer.builder()
                // Calls the client back on the same connection and answers with what it said.
                .handle(CALLBACK, request -> request.connection()
                        .call(ASK_CLIENT, Payload.utf8("question from the server"), Loopback.WAIT)
                        .thenApply(reply -> {
                            try {
                                return Payload.utf8("client said: " + reply.toUtf8());
                            } finally {
                                reply.release();
                            }
                        }))
                .handle(TO_SERVER, request -> {
                    serverNotified.add(request.isNotify() + "/" + request.streamId() + "/" + request.payload().toUtf8());
                    serverNotifyLatch.countDown();
                    return CompletableFuture.completedFuture(Payload.empty());
                }));
    }

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    @Test
    void serverCallsTheClientBackDuringARequest() {
        List<Long> serverStreamIds = new CopyOnWriteArrayList<>();
        McpClient client = loop.client(server, b -> b.handle(ASK_CLIENT, Handlers.sync(request -> {
            serverStreamIds.add(request.streamId());
            return Payload.utf8("answer to '" + request.payload().toUtf8() + "'");
        })));
        for (int i = 0; i < 3; i++) {
            Payload reply = McpClient.await(client.call(CALLBACK, Payload.empty(), Loopback.WAIT));
            try {
                assertEquals("client said: answer to 'question from the server'", reply.toUtf8());
            } finally {
                reply.release();
            }
        }
        assertEquals(List.of(2L, 4L, 6L), serverStreamIds, "server-initiated ids are even and not reused");
    }

    @Test
    void clientWithoutTheHandlerAnswersNotFound() {
        McpClient client = loop.client(server);
        McpException e = assertThrows(McpException.class,
                () -> McpClient.await(client.call(CALLBACK, Payload.empty(), Loopback.WAIT)));
        assertEquals(ErrorCode.NOT_FOUND.code(), e.code(), "the client's NOT_FOUND propagates through the handler");
    }

    @Test
    void serverStreamIdsAreEvenOnTheWire() throws Exception {
        RawMcpSocket raw = loop.raw(server);
        raw.handshake();
        long expected = 2;
        for (long clientId = 1; clientId <= 5; clientId += 2) {
            raw.sendRequest(clientId, CALLBACK, new byte[0]);
            RawFrame callback = raw.readFrame(FrameType.REQUEST);
            assertEquals(expected, callback.streamId);
            assertEquals(0, callback.streamId % 2, "server-initiated stream ids are even");
            assertEquals(ASK_CLIENT, callback.opcode);
            assertEquals("question from the server", callback.payloadUtf8());
            assertTrue(callback.number(MetadataKey.TIMEOUT_MS) > 0, "the server sends its deadline");
            raw.sendResponse(callback.streamId, ASK_CLIENT, ("raw " + clientId).getBytes(StandardCharsets.UTF_8));
            RawFrame answer = raw.readAnswer(clientId);
            assertEquals(FrameType.RESPONSE, answer.type, () -> "got " + answer);
            assertEquals("client said: raw " + clientId, answer.payloadUtf8());
            expected += 2;
        }
        // An ERROR from the client fails the server's call with that code.
        raw.sendRequest(7, CALLBACK, new byte[0]);
        RawFrame callback = raw.readFrame(FrameType.REQUEST);
        raw.send(raw.begin(FrameType.ERROR, 0, 0, ASK_CLIENT, callback.streamId)
                .u16(MetadataKey.ERROR_CODE, ErrorCode.PERMISSION_DENIED.code()).finish());
        raw.expectError(7, ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void notifyTravelsBothWays() throws Exception {
        CountDownLatch clientLatch = new CountDownLatch(1);
        List<String> clientNotified = new CopyOnWriteArrayList<>();
        McpClient client = loop.client(server, b -> b.handle(TO_CLIENT, request -> {
            clientNotified.add(request.isNotify() + "/" + request.streamId() + "/" + request.payload().toUtf8());
            clientLatch.countDown();
            return CompletableFuture.completedFuture(Payload.empty());
        }));

        McpClient.await(client.notify(TO_SERVER, Payload.utf8("hello server")));
        assertTrue(serverNotifyLatch.await(10, TimeUnit.SECONDS), "server handler never saw the NOTIFY");
        assertEquals(List.of("true/0/hello server"), serverNotified);

        await().atMost(Loopback.WAIT).until(() -> server.connections().size() == 1);
        Connection toClient = server.connections().get(0);
        McpClient.await(toClient.notify(TO_CLIENT, Payload.utf8("hello client")));
        assertTrue(clientLatch.await(10, TimeUnit.SECONDS), "client handler never saw the NOTIFY");
        assertEquals(List.of("true/0/hello client"), clientNotified);
        Loopback.assertEcho(client, "no answer was sent to either NOTIFY");
    }

    @Test
    void rawClientSeesServerNotifyOnStreamZero() throws Exception {
        RawMcpSocket raw = loop.raw(server);
        raw.handshake();
        await().atMost(Loopback.WAIT).until(() -> server.connections().size() == 1);
        McpClient.await(server.connections().get(0).notify(TO_CLIENT, Payload.utf8("note")));
        RawFrame note = raw.readFrame(FrameType.NOTIFY);
        assertEquals(0, note.streamId);
        assertEquals(TO_CLIENT, note.opcode);
        assertEquals("note", note.payloadUtf8());
        // A NOTIFY the server does not handle gets no answer either.
        raw.send(raw.begin(FrameType.NOTIFY, 0, 0, 0x0777, 0).finish());
        raw.sendRequest(1, 0xFF01, "only answer".getBytes(StandardCharsets.UTF_8));
        RawFrame answer = raw.readAnswer(1);
        assertEquals("only answer", answer.payloadUtf8());
    }

    @Test
    void requestSeesItsConnection() {
        List<Request> seen = new CopyOnWriteArrayList<>();
        McpClient client = loop.client(server, b -> b.handle(ASK_CLIENT, Handlers.sync(request -> {
            seen.add(request);
            return Payload.utf8(request.connection().sessionId());
        })));
        Payload reply = McpClient.await(client.call(CALLBACK, Payload.empty(), Loopback.WAIT));
        try {
            assertEquals("client said: " + client.sessionId(), reply.toUtf8());
        } finally {
            reply.release();
        }
    }
}
