package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.core.Request;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deadlines (both sides) and CANCEL (from McpClient and from a raw socket). */
class DeadlineCancelE2ETest {
    static final int STUCK = 0x0100;

    private final Loopback loop = new Loopback();
    private final StuckHandler stuck = new StuckHandler();
    private McpServer server;

    @BeforeEach
    void start() {
        server = loop.server(McpServer.builder().handle(STUCK, stuck));
        loop.beforeClose(stuck::releaseAll);
    }

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    @Test
    void callPastItsDeadlineFailsWithDeadlineExceeded() {
        McpClient client = loop.client(server);
        McpException e = assertThrows(McpException.class,
                () -> McpClient.await(client.call(STUCK, Payload.utf8("wait"), Duration.ofMillis(200))));
        assertEquals(ErrorCode.DEADLINE_EXCEEDED.code(), e.code());
        // The server saw the request with the budget the client sent.
        assertEquals(1, stuck.count());
        assertEquals(200, stuck.requests.get(0).timeoutMillis());
        Loopback.assertEcho(client, "connection unharmed");
    }

    @Test
    void serverEnforcesTimeoutMs() throws Exception {
        RawMcpSocket raw = loop.raw(server);
        raw.handshake();
        raw.sendRequest(1, STUCK, "slow".getBytes(StandardCharsets.UTF_8), 100);
        RawFrame error = raw.expectError(1, ErrorCode.DEADLINE_EXCEEDED);
        assertEquals(STUCK, error.opcode);
        assertTrue(stuck.requests.get(0).isCancelled(), "the handler can see that its deadline passed");
        // Stream 1 is free again.
        raw.sendRequest(1, 0xFF01, "again".getBytes(StandardCharsets.UTF_8));
        RawFrame echo = raw.readAnswer(1);
        assertEquals(FrameType.RESPONSE, echo.type);
        assertEquals("again", echo.payloadUtf8());
    }

    @Test
    void cancellingTheFutureSendsCancelToTheServer() {
        McpClient client = loop.client(server);
        CompletableFuture<Payload> call = client.call(STUCK, Payload.utf8("cancel me"), Loopback.WAIT);
        await().atMost(Loopback.WAIT).until(() -> stuck.count() == 1);
        Request seen = stuck.requests.get(0);
        assertFalse(seen.isCancelled());

        assertTrue(call.cancel(true));
        assertThrows(CancellationException.class, call::join);
        await().atMost(Loopback.WAIT).until(seen::isCancelled);
        Loopback.assertEcho(client, "after cancel");
    }

    @Test
    void rawCancelIsAnsweredWithCancelledAndFreesTheStream() throws Exception {
        RawMcpSocket raw = loop.raw(server);
        raw.handshake();
        raw.sendRequest(7, STUCK, new byte[0]);
        await().atMost(Loopback.WAIT).until(() -> stuck.count() == 1);
        raw.sendCancel(7);
        RawFrame cancelled = raw.expectError(7, ErrorCode.CANCELLED);
        assertEquals(STUCK, cancelled.opcode);
        assertTrue(stuck.requests.get(0).isCancelled());

        // The id may be used again at once, and the late completion of the first handler
        // must not answer the new request on the same stream.
        raw.sendRequest(7, STUCK, new byte[0]);
        await().atMost(Loopback.WAIT).until(() -> stuck.count() == 2);
        stuck.releaseAll();
        RawFrame answer = raw.readAnswer(7);
        assertEquals(FrameType.ERROR, answer.type);
        assertEquals(ErrorCode.CANCELLED.code(), answer.errorCode());
        raw.sendRequest(9, 0xFF01, "next".getBytes(StandardCharsets.UTF_8));
        assertEquals("next", raw.readAnswer(9).payloadUtf8());
    }

    @Test
    void cancelForAnUnknownStreamIsIgnored() throws Exception {
        RawMcpSocket raw = loop.raw(server);
        raw.handshake();
        raw.sendCancel(99);
        raw.sendRequest(1, 0xFF01, "alive".getBytes(StandardCharsets.UTF_8));
        RawFrame answer = raw.readAnswer(1);
        assertEquals(FrameType.RESPONSE, answer.type, () -> "got " + answer);
    }
}
