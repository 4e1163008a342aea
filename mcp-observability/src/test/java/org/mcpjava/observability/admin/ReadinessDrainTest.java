package org.mcpjava.observability.admin;

import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Payload;
import org.mcpjava.observability.Http;
import org.mcpjava.server.McpServer;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readiness follows the server's life: 503 before it listens, 200 while it serves, 503 as soon as
 * a graceful shutdown starts draining (while a request is still being worked on), and liveness
 * stays 200 throughout.
 */
class ReadinessDrainTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void readinessFlipsWhileTheServerDrains() throws Exception {
        CountDownLatch handlerEntered = new CountDownLatch(1);
        CompletableFuture<Payload> held = new CompletableFuture<>();
        McpServer server = McpServer.builder().host("127.0.0.1").port(0).disablePubSub()
                .drainTimeout(WAIT)
                .handle(0x0042, request -> {
                    handlerEntered.countDown();
                    return held;
                })
                .build();
        try (AdminServer admin = AdminServer.create(new AdminOptions("127.0.0.1", 0, "t"), null).start()) {
            Http http = new Http(admin.address(), null);
            assertEquals(503, http.get("/health/ready").statusCode(), "nothing attached yet");
            admin.attach(server);
            assertEquals(503, http.get("/health/ready").statusCode(), "not listening yet");
            assertTrue(http.get("/health/ready").body().contains("STARTING"));
            server.start();
            assertEquals(200, http.get("/health/ready").statusCode());

            McpClient client = McpClient.builder().address("127.0.0.1", server.address().getPort()).callTimeout(WAIT).connect();
            CompletableFuture<Payload> call = client.call(0x0042, Payload.utf8("work"));
            assertTrue(handlerEntered.await(WAIT.toSeconds(), TimeUnit.SECONDS));

            CompletableFuture<Void> terminated = server.shutdown();
            await().atMost(WAIT).until(() -> http.get("/health/ready").statusCode() == 503);
            assertTrue(http.get("/health/ready").body().contains("DRAINING"));
            assertEquals(200, http.get("/health/live").statusCode(), "alive while draining");
            assertTrue(!terminated.isDone(), "the held request keeps the drain going");

            held.complete(Payload.utf8("done"));
            Payload reply = McpClient.await(call);
            assertEquals("done", reply.toUtf8());
            reply.release();
            terminated.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(503, http.get("/health/ready").statusCode(), "stopped servers are not ready either");
            client.close();
        } finally {
            server.close();
        }
    }
}
