package org.mcpjava.e2e;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.MetadataKey;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keepalive and the handshake timeout, driven by an injected {@link ManualTicker}: nothing here
 * waits for real time to pass.
 */
class KeepaliveE2ETest {
    private final Loopback loop = new Loopback();
    private final ManualTicker ticker = new ManualTicker();

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    private McpServer server() {
        return loop.server(McpServer.builder()
                .ticker(ticker)
                .keepalive(Duration.ofSeconds(10))
                .handshakeTimeout(Duration.ofSeconds(5))
                .housekeepingInterval(Duration.ofMillis(10)));
    }

    @Test
    void silentPeerIsClosedWithKeepaliveTimeout() throws Exception {
        McpServer server = server();
        RawMcpSocket raw = loop.raw(server);
        assertEquals(10_000, raw.handshake(30_000, null).number(MetadataKey.KEEPALIVE_MS));
        ticker.advance(Duration.ofSeconds(16)); // past 1.5 x 10 s
        RawFrame error = raw.expectConnectionError(ErrorCode.KEEPALIVE_TIMEOUT);
        assertEquals(0, error.streamId);
        await().atMost(Loopback.WAIT).until(() -> server.openSockets() == 0);
    }

    @Test
    void idleServerPingsAndPongKeepsTheConnectionAlive() throws Exception {
        McpServer server = server();
        RawMcpSocket raw = loop.raw(server);
        raw.handshake();

        ticker.advance(Duration.ofSeconds(11)); // nothing sent for > 10 s: PING
        RawFrame ping = raw.readFrame(FrameType.PING);
        assertEquals(0, ping.streamId);
        assertEquals(8, ping.payload.length);
        raw.sendPong(ping.payload);
        // The PONG has been read once the server measured a round trip with it.
        await().atMost(Loopback.WAIT).until(() -> server.connections().get(0).lastRoundTrip() != null);

        // 22 s after the handshake, but only 11 s after the PONG: another PING, not a timeout.
        ticker.advance(Duration.ofSeconds(11));
        RawFrame second = raw.readFrame(FrameType.PING);
        assertEquals(8, second.payload.length);

        // Not answering this time: closed.
        ticker.advance(Duration.ofSeconds(16));
        raw.expectConnectionError(ErrorCode.KEEPALIVE_TIMEOUT);
    }

    /**
     * Real time, the server's default timers (a 30 s keepalive ticks once a second): a client that
     * negotiates 600 ms must get a PING after 600 ms of the server's silence, before its own
     * 1.5 x deadline (900 ms) and before the server times it out. Before the period followed the
     * negotiated keepalive, the first tick (1 s) found the client silent for longer than 900 ms
     * and closed the connection without ever having sent PING.
     */
    @Test
    void shortNegotiatedKeepaliveGetsPingBeforeTimeout() throws Exception {
        McpServer server = loop.server(McpServer.builder().keepalive(Duration.ofSeconds(30)));
        RawMcpSocket raw = loop.raw(server);
        assertEquals(600, raw.handshake(600, null).number(MetadataKey.KEEPALIVE_MS));
        RawFrame first = raw.readFrame();
        assertEquals(FrameType.PING, first.type, () -> "expected PING before anything else, got " + first);
        // Not answered: the server closes after 1.5 x 600 ms of silence.
        raw.expectConnectionError(ErrorCode.KEEPALIVE_TIMEOUT);
    }

    @Test
    void serverAnswersPingWithTheSamePayload() throws Exception {
        RawMcpSocket raw = loop.raw(server());
        raw.handshake();
        raw.sendPing(42);
        RawFrame pong = raw.readFrame(FrameType.PONG);
        assertEquals(0, pong.streamId);
        assertEquals(42, Unpooled.wrappedBuffer(pong.payload).getLong(0));
    }

    @Test
    void connectionThatNeverSendsHelloIsClosed() throws Exception {
        McpServer server = server();
        RawMcpSocket raw = loop.raw(server);
        // Move time until the server gives up; the connection may not have been registered on the
        // first step yet, so keep stepping (each step is 6 s, more than the 5 s handshake timeout).
        await().atMost(Loopback.WAIT).until(() -> {
            ticker.advance(Duration.ofSeconds(6));
            return raw.input().available() > 0;
        });
        RawFrame error = raw.expectConnectionError(ErrorCode.DEADLINE_EXCEEDED);
        assertEquals(0, error.streamId);
    }

    @Test
    void handshakeTimeoutAlsoCoversASlowAuthenticator() throws Exception {
        CompletableFuture<String> verdict = new CompletableFuture<>();
        McpServer server = loop.server(McpServer.builder()
                .ticker(ticker)
                .handshakeTimeout(Duration.ofSeconds(5))
                .housekeepingInterval(Duration.ofMillis(10))
                .authenticator((clientId, credentials, remote) -> verdict));
        loop.beforeClose(() -> verdict.complete("too late"));
        RawMcpSocket raw = loop.raw(server);
        raw.sendHello(-1, "token");
        await().atMost(Loopback.WAIT).until(() -> {
            ticker.advance(Duration.ofSeconds(6));
            return raw.input().available() > 0;
        });
        raw.expectConnectionError(ErrorCode.DEADLINE_EXCEEDED);
        verdict.complete("too late"); // must not resurrect the closed connection
        assertTrue(server.connections().isEmpty());
    }

    @Test
    void clientPingMeasuresARoundTrip() {
        McpServer server = loop.server(McpServer.builder());
        McpClient client = loop.client(server);
        Duration rtt = McpClient.await(client.ping());
        assertNotNull(rtt);
        assertFalse(rtt.isNegative());
        assertNotNull(client.connection().lastRoundTrip());
    }

    @Test
    void idleClientPingsTheServer() {
        McpServer server = loop.server(McpServer.builder());
        ManualTicker clientTicker = new ManualTicker();
        McpClient client = loop.client(server, b -> b.ticker(clientTicker)
                .keepalive(Duration.ofSeconds(10))
                .housekeepingInterval(Duration.ofMillis(10)));
        assertEquals(null, client.connection().lastRoundTrip());
        clientTicker.advance(Duration.ofSeconds(11));
        await().atMost(Loopback.WAIT).until(() -> client.connection().lastRoundTrip() != null);
        assertTrue(client.isActive());
        Loopback.assertEcho(client, "still connected");
    }

    @Test
    void clientClosesASilentServer() throws Exception {
        ManualTicker clientTicker = new ManualTicker();
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<McpClient> connecting = McpClient.builder()
                    .address("127.0.0.1", fake.getLocalPort())
                    .ticker(clientTicker)
                    .keepalive(Duration.ofSeconds(10))
                    .housekeepingInterval(Duration.ofMillis(10))
                    .connectAsync();
            fake.setSoTimeout(RawMcpSocket.READ_TIMEOUT_MILLIS);
            RawMcpSocket peer = loop.track(RawMcpSocket.accepted(fake.accept()));
            RawFrame hello = peer.readFrame(FrameType.HELLO);
            assertEquals(10_000, hello.number(MetadataKey.KEEPALIVE_MS));
            peer.send(peer.begin(FrameType.WELCOME, 0, 0, 0, 0)
                    .bytes(MetadataKey.SESSION_ID.wire(), new byte[16])
                    .u32(MetadataKey.KEEPALIVE_MS, 10_000)
                    .finish());
            McpClient client = loop.track(connecting.get(10, TimeUnit.SECONDS));
            CompletableFuture<Payload> pending = client.call(0xFF01, Payload.utf8("never answered"), Duration.ZERO);
            peer.readFrame(FrameType.REQUEST);

            clientTicker.advance(Duration.ofSeconds(16));
            peer.expectConnectionError(ErrorCode.KEEPALIVE_TIMEOUT);
            client.closeFuture().get(10, TimeUnit.SECONDS);
            assertFalse(client.isActive());
            McpException e = assertThrows(McpException.class, () -> McpClient.await(pending));
            assertEquals(ErrorCode.UNAVAILABLE.code(), e.code());
        }
    }
}
