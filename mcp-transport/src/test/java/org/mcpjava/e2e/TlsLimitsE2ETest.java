package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.McpException;
import org.mcpjava.server.McpServer;
import org.mcpjava.transport.TlsOptions;
import org.mcpjava.wire.ErrorCode;

import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Connection caps on a TLS server, over loopback: a refused TLS client is told OVERLOADED or
 * QUOTA_EXCEEDED (the ERROR waits for the TLS handshake and travels encrypted) rather than seeing a
 * TLS failure, the admitted clients are served on, and a refused connection that never finishes
 * its TLS handshake is closed after the handshake timeout.
 */
class TlsLimitsE2ETest {
    @TempDir
    static Path dir;
    private static TestPki pki;

    private final Loopback loop = new Loopback();

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create(dir);
    }

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    private McpServer tlsServer(McpServer.Builder builder) {
        return loop.server(builder.tls(TlsOptions.builder().keyPair(pki.serverChain, pki.serverKey).build()));
    }

    private McpClient tlsClient(McpServer server) {
        return loop.track(McpClient.builder().address("localhost", server.address().getPort())
                .tls(TlsOptions.builder().trust(pki.caCert).build()).callTimeout(Loopback.WAIT).connect());
    }

    private void assertRefused(McpServer server, ErrorCode code) {
        McpException e = assertThrows(McpException.class, () -> tlsClient(server));
        assertEquals(code.code(), e.code(), e::getMessage);
    }

    @Test
    void tlsClientOverTheTotalCapIsToldOverloaded() {
        McpServer server = tlsServer(McpServer.builder().maxConnections(2, 2));
        McpClient first = tlsClient(server);
        McpClient second = tlsClient(server);

        assertRefused(server, ErrorCode.OVERLOADED);
        Loopback.assertEcho(first, "first still served");
        Loopback.assertEcho(second, "second still served");

        first.close();
        await().atMost(Loopback.WAIT).until(() -> server.openSockets() == 1);
        Loopback.assertEcho(tlsClient(server), "a place was given back");
        Loopback.assertEcho(second, "second served throughout");
    }

    @Test
    void tlsClientOverThePerAddressCapIsToldQuotaExceeded() {
        McpServer server = tlsServer(McpServer.builder().maxConnections(10, 1));
        McpClient admitted = tlsClient(server);

        assertRefused(server, ErrorCode.QUOTA_EXCEEDED);
        assertRefused(server, ErrorCode.QUOTA_EXCEEDED);
        Loopback.assertEcho(admitted, "the first one is untouched");
        await().atMost(Loopback.WAIT).until(() -> server.openSockets() == 1);
    }

    @Test
    void refusedConnectionThatNeverFinishesItsTlsHandshakeIsClosedAfterTheHandshakeTimeout() throws Exception {
        // The MCP handshake deadline runs on a clock that does not move, so only the TLS one can fire.
        McpServer server = tlsServer(McpServer.builder().maxConnections(1, 1)
                .ticker(new ManualTicker()).handshakeTimeout(Duration.ofSeconds(2)));
        McpClient admitted = tlsClient(server);
        RawMcpSocket silent = loop.raw(server); // TCP only: sends no ClientHello
        await().atMost(Loopback.WAIT).until(() -> server.openSockets() == 2);

        silent.expectEof();
        await().atMost(Loopback.WAIT).until(() -> server.openSockets() == 1);
        Loopback.assertEcho(admitted, "served while the other waited");
    }
}
