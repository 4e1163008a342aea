package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.codec.CodecRegistry;
import org.mcpjava.core.McpException;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.MetadataKey;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HELLO / WELCOME over a real socket: every WELCOME field, and the negotiated keepalive. */
class HandshakeE2ETest {
    private final Loopback loop = new Loopback();
    private McpServer server;

    @BeforeEach
    void start() {
        server = loop.server(McpServer.builder()
                .name("e2e-server")
                .keepalive(Duration.ofSeconds(10))
                .maxFrame(128 * 1024)
                .maxConcurrentRequests(77)
                .receiveWindow(500)
                .codecs(CodecRegistry.rawOnly()));
    }

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    @Test
    void welcomeCarriesEverySessionParameter() throws Exception {
        RawMcpSocket raw = loop.raw(server);
        RawFrame welcome = raw.handshake(30_000, null);

        assertEquals(FrameType.WELCOME, welcome.type);
        assertEquals(0, welcome.streamId);
        assertEquals(0, welcome.flags);
        assertEquals(0, welcome.opcode);
        assertEquals(0, welcome.payload.length);
        assertNotNull(welcome.bytes(MetadataKey.SESSION_ID));
        assertEquals(16, welcome.bytes(MetadataKey.SESSION_ID).length);
        assertEquals(0, welcome.number(MetadataKey.SESSION_PRESENT));
        assertEquals("e2e-server", welcome.string(MetadataKey.SERVER_NAME));
        assertEquals(128 * 1024, welcome.number(MetadataKey.MAX_FRAME));
        assertEquals(77, welcome.number(MetadataKey.MAX_CONCURRENT_REQUESTS));
        assertEquals(500, welcome.number(MetadataKey.RECEIVE_WINDOW));
        assertArrayEquals(new byte[] {0}, welcome.bytes(MetadataKey.CODECS));
        // The server lowers the client's 30 s to its own 10 s.
        assertEquals(10_000, welcome.number(MetadataKey.KEEPALIVE_MS));
    }

    @Test
    void keepaliveIsTheMinimumOfBothSides() throws Exception {
        assertEquals(5_000, loop.raw(server).handshake(5_000, null).number(MetadataKey.KEEPALIVE_MS));
        assertEquals(10_000, loop.raw(server).handshake(10_000, null).number(MetadataKey.KEEPALIVE_MS));
        assertEquals(10_000, loop.raw(server).handshake(60_000, null).number(MetadataKey.KEEPALIVE_MS));
        // A HELLO without KEEPALIVE_MS states no preference: the server's value applies.
        assertEquals(10_000, loop.raw(server).handshake(-1, null).number(MetadataKey.KEEPALIVE_MS));
    }

    @Test
    void everyConnectionGetsItsOwnSessionId() throws Exception {
        byte[] a = loop.raw(server).handshake().bytes(MetadataKey.SESSION_ID);
        byte[] b = loop.raw(server).handshake().bytes(MetadataKey.SESSION_ID);
        assertFalse(java.util.Arrays.equals(a, b), "two sessions got the same id");
    }

    @Test
    void nothingListeningIsUnavailable() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        McpException e = assertThrows(McpException.class,
                () -> McpClient.builder().address("127.0.0.1", port).connect());
        assertEquals(ErrorCode.UNAVAILABLE.code(), e.code());
    }

    @Test
    void clientSeesServerNameAndSessionId() {
        McpClient client = loop.client(server);
        assertEquals("e2e-server", client.serverName());
        assertEquals(32, client.sessionId().length());
        HexFormat.of().parseHex(client.sessionId());
        assertTrue(client.isActive());
        String info = McpClient.await(client.info());
        assertTrue(info.contains("\"sessionId\":\"" + client.sessionId() + "\""), info);
        Loopback.assertEcho(client, "after the handshake");
    }
}
