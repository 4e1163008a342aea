package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.core.McpException;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** AUTH in HELLO: accepted tokens connect, anything else gets ERROR(UNAUTHENTICATED) and a close. */
class AuthE2ETest {
    private final Loopback loop = new Loopback();

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    @Test
    void rightTokenConnects() {
        McpServer server = loop.server(McpServer.builder().authTokens("s3cret", "other"));
        Loopback.assertEcho(loop.client(server, b -> b.authToken("s3cret")), "in");
        Loopback.assertEcho(loop.client(server, b -> b.authToken("other")), "also in");
    }

    @Test
    void wrongOrMissingTokenIsUnauthenticated() {
        McpServer server = loop.server(McpServer.builder().authTokens("s3cret"));
        McpException wrong = assertThrows(McpException.class, () -> loop.client(server, b -> b.authToken("s3cre")));
        assertEquals(ErrorCode.UNAUTHENTICATED.code(), wrong.code());
        McpException missing = assertThrows(McpException.class, () -> loop.client(server));
        assertEquals(ErrorCode.UNAUTHENTICATED.code(), missing.code());
        await().atMost(Loopback.WAIT).until(() -> server.openSockets() == 0);
        Loopback.assertEcho(loop.client(server, b -> b.authToken("s3cret")), "the server is fine");
    }

    @Test
    void rawSocketSeesErrorThenClose() throws Exception {
        McpServer server = loop.server(McpServer.builder().authTokens("s3cret"));
        RawMcpSocket bad = loop.raw(server);
        bad.sendHello(-1, "nope");
        bad.expectConnectionError(ErrorCode.UNAUTHENTICATED);

        RawMcpSocket good = loop.raw(server);
        assertEquals(FrameType.WELCOME, good.handshake(-1, "s3cret").type);
    }

    @Test
    void authenticatorChoosesTheRefusalCode() {
        McpServer server = loop.server(McpServer.builder().authenticator((clientId, credentials, remote) ->
                "banned".equals(clientId)
                        ? CompletableFuture.failedFuture(new McpException(ErrorCode.PERMISSION_DENIED, "banned"))
                        : CompletableFuture.failedFuture(new IllegalStateException("directory down"))));
        McpException banned = assertThrows(McpException.class, () -> loop.client(server, b -> b.clientId("banned")));
        assertEquals(ErrorCode.PERMISSION_DENIED.code(), banned.code());
        // Any other failure of the authenticator refuses as UNAUTHENTICATED.
        McpException other = assertThrows(McpException.class, () -> loop.client(server));
        assertEquals(ErrorCode.UNAUTHENTICATED.code(), other.code());
    }

    @Test
    void asynchronousAuthenticatorCompletesOnAnotherThread() {
        ExecutorService directory = Executors.newSingleThreadExecutor();
        loop.track(directory::shutdownNow);
        McpServer server = loop.server(McpServer.builder().authenticator((clientId, credentials, remote) ->
                CompletableFuture.supplyAsync(() -> {
                    if (!new String(credentials, StandardCharsets.UTF_8).equals("async-ok")) {
                        throw new McpException(ErrorCode.UNAUTHENTICATED, "no");
                    }
                    return clientId;
                }, directory)));
        Loopback.assertEcho(loop.client(server, b -> b.authToken("async-ok")), "checked elsewhere");
        McpException e = assertThrows(McpException.class, () -> loop.client(server, b -> b.authToken("bad")));
        assertEquals(ErrorCode.UNAUTHENTICATED.code(), e.code());
    }
}
