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

import java.util.function.Supplier;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLS and mutual TLS with certificates made by the test (netty-pkitesting). */
class TlsE2ETest {
    @TempDir
    static Path dir;
    private static TestPki pki;

    private final Loopback loop = new Loopback();

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create(dir);
    }

    /** A TLS failure surfaces as UNAVAILABLE (the connection could not be set up). */
    private static McpException refused(Supplier<McpClient> connect) {
        McpException e = assertThrows(McpException.class, connect::get);
        assertEquals(ErrorCode.UNAVAILABLE.code(), e.code(), e::getMessage);
        return e;
    }

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    private McpServer tlsServer(TlsOptions.ClientAuth clientAuth) {
        TlsOptions.Builder tls = TlsOptions.builder().keyPair(pki.serverChain, pki.serverKey);
        if (clientAuth != TlsOptions.ClientAuth.NONE) {
            tls.trust(pki.caCert).clientAuth(clientAuth);
        }
        return loop.server(McpServer.builder().tls(tls.build()));
    }

    private McpClient tlsClient(McpServer server, String host, TlsOptions tls) {
        return loop.track(McpClient.builder().address(host, server.address().getPort()).tls(tls).connect());
    }

    @Test
    void echoOverTlsWithHostnameVerification() {
        McpServer server = tlsServer(TlsOptions.ClientAuth.NONE);
        McpClient client = tlsClient(server, "localhost", TlsOptions.builder().trust(pki.caCert).build());
        Loopback.assertEcho(client, "encrypted");
        String info = McpClient.await(client.info());
        assertTrue(info.contains(client.sessionId()), info);
    }

    @Test
    void hostnameMismatchIsRefused() {
        McpServer server = tlsServer(TlsOptions.ClientAuth.NONE);
        // The certificate names "localhost" only, so dialling the IP fails verification...
        McpException mismatch = refused(() -> tlsClient(server, "127.0.0.1",
                TlsOptions.builder().trust(pki.caCert).build()));
        assertTrue(mismatch.getMessage().contains("127.0.0.1"), mismatch::getMessage);
        // ...unless the client opts out of it.
        McpClient lax = tlsClient(server, "127.0.0.1",
                TlsOptions.builder().trust(pki.caCert).verifyHostname(false).build());
        Loopback.assertEcho(lax, "no hostname check");
    }

    @Test
    void untrustedServerIsRefused() {
        McpServer server = tlsServer(TlsOptions.ClientAuth.NONE);
        // Trusting only an unrelated CA (the rogue client's chain has no server CA in it).
        refused(() -> tlsClient(server, "localhost", TlsOptions.builder().trust(pki.rogueClientChain).build()));
    }

    @Test
    void plainClientCannotTalkToATlsServer() {
        McpServer server = tlsServer(TlsOptions.ClientAuth.NONE);
        refused(() -> loop.client(server));
        Loopback.assertEcho(tlsClient(server, "localhost", TlsOptions.builder().trust(pki.caCert).build()),
                "server unharmed");
    }

    @Test
    void mutualTlsNeedsAClientCertificateFromTheTrustedCa() {
        McpServer server = tlsServer(TlsOptions.ClientAuth.REQUIRE);
        McpException noCertificate = refused(() -> tlsClient(server, "localhost",
                TlsOptions.builder().trust(pki.caCert).build()));
        assertTrue(noCertificate.getMessage().toUpperCase().contains("CERTIFICATE"), noCertificate::getMessage);
        refused(() -> tlsClient(server, "localhost", TlsOptions.builder()
                .trust(pki.caCert).keyPair(pki.rogueClientChain, pki.rogueClientKey).build()));
        McpClient client = tlsClient(server, "localhost", TlsOptions.builder()
                .trust(pki.caCert).keyPair(pki.clientChain, pki.clientKey).build());
        Loopback.assertEcho(client, "mutually authenticated");
    }
}
