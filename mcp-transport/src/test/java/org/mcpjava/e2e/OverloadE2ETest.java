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
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** MAX_CONCURRENT_REQUESTS: the request over the limit gets OVERLOADED, the connection lives on. */
class OverloadE2ETest {
    static final int STUCK = 0x0100;

    private final Loopback loop = new Loopback();
    private final StuckHandler stuck = new StuckHandler();
    private McpServer server;

    @BeforeEach
    void start() {
        server = loop.server(McpServer.builder().maxConcurrentRequests(2).handle(STUCK, stuck));
        loop.beforeClose(stuck::releaseAll);
    }

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    @Test
    void thirdConcurrentRequestIsOverloaded() throws Exception {
        RawMcpSocket raw = loop.raw(server);
        RawFrame welcome = raw.handshake();
        assertEquals(2, welcome.number(MetadataKey.MAX_CONCURRENT_REQUESTS));

        raw.sendRequest(1, STUCK, new byte[0]);
        raw.sendRequest(3, STUCK, new byte[0]);
        raw.sendRequest(5, STUCK, new byte[0]);
        RawFrame overloaded = raw.expectError(5, ErrorCode.OVERLOADED);
        assertEquals(STUCK, overloaded.opcode);
        assertEquals(2, stuck.count(), "the refused request never reached the handler");

        // Still usable: free a slot, and the next request is served.
        raw.sendCancel(1);
        raw.expectError(1, ErrorCode.CANCELLED);
        raw.sendRequest(7, 0xFF01, "room again".getBytes(StandardCharsets.UTF_8));
        RawFrame echo = raw.readAnswer(7);
        assertEquals(FrameType.RESPONSE, echo.type, () -> "got " + echo);
        assertEquals("room again", echo.payloadUtf8());
    }

    @Test
    void limitIsPerConnection() throws Exception {
        RawMcpSocket busy = loop.raw(server);
        busy.handshake();
        busy.sendRequest(1, STUCK, new byte[0]);
        busy.sendRequest(3, STUCK, new byte[0]);
        await().atMost(Loopback.WAIT).until(() -> stuck.count() == 2);
        McpClient other = loop.client(server);
        Loopback.assertEcho(other, "another connection has its own budget");
    }

    @Test
    void clientRefusesLocallyBeyondTheAnnouncedLimit() {
        McpClient client = loop.client(server);
        CompletableFuture<Payload> a = client.call(STUCK, Payload.empty());
        CompletableFuture<Payload> b = client.call(STUCK, Payload.empty());
        McpException e = assertThrows(McpException.class, () -> McpClient.await(client.call(STUCK, Payload.empty())));
        assertEquals(ErrorCode.OVERLOADED.code(), e.code());
        await().atMost(Loopback.WAIT).until(() -> stuck.count() == 2);
        stuck.releaseAll();
        assertEquals(ErrorCode.CANCELLED.code(), assertThrows(McpException.class, () -> McpClient.await(a)).code());
        assertEquals(ErrorCode.CANCELLED.code(), assertThrows(McpException.class, () -> McpClient.await(b)).code());
        Loopback.assertEcho(client, "slots freed");
    }
}
