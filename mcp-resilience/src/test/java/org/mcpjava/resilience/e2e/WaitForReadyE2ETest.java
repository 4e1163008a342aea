package org.mcpjava.resilience.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.CallOptions;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.ResilientClient;
import org.mcpjava.resilience.RetryPolicy;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.mcpjava.resilience.e2e.Servers.ECHO;
import static org.mcpjava.resilience.e2e.Servers.assertReply;
import static org.mcpjava.resilience.e2e.Servers.awaitState;
import static org.mcpjava.resilience.e2e.Servers.failureCode;

/** Calls during an outage: fail fast, or wait for the connection up to their deadline. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WaitForReadyE2ETest {
    private static final CallOptions WAIT_10S = CallOptions.defaults().waitForReady(true).timeout(Duration.ofSeconds(10));

    @Test
    void callsFailFastOrWaitForTheConnectionAcrossAnOutage() {
        int port = Servers.freePort();
        try (ResilientClient client = Servers.client("127.0.0.1:" + port)
                .reconnectPolicy(Servers.FAST).retryPolicy(RetryPolicy.none()).build().start()) {
            // No server yet.
            assertEquals(ErrorCode.UNAVAILABLE.code(), failureCode(client.call(ECHO, Payload.utf8("fast"))));
            assertEquals(ErrorCode.DEADLINE_EXCEEDED.code(), failureCode(client.call(ECHO, Payload.utf8("short"),
                    CallOptions.defaults().waitForReady(true).timeout(Duration.ofMillis(200)))));
            List<CompletableFuture<Payload>> waiting = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                waiting.add(client.call(ECHO, Payload.utf8("wait " + i), WAIT_10S));
            }
            assertEquals(ClientState.CONNECTING, client.state());
            assertFalse(waiting.stream().anyMatch(CompletableFuture::isDone));

            McpServer server = Servers.memory(port);
            try {
                for (int i = 0; i < 10; i++) {
                    assertReply("wait " + i, waiting.get(i));
                }
                assertEquals(ClientState.CONNECTED, client.state());
                assertReply("now", client.call(ECHO, Payload.utf8("now")));
            } finally {
                server.close();
            }

            // The server went away: fail-fast calls fail, waiting ones carry on once it is back.
            awaitState(client::state, ClientState.RECONNECTING);
            assertEquals(ErrorCode.UNAVAILABLE.code(), failureCode(client.call(ECHO, Payload.utf8("fast"))));
            CompletableFuture<Payload> patient = client.call(ECHO, Payload.utf8("patient"), WAIT_10S);
            McpServer again = Servers.memory(port);
            try {
                assertReply("patient", patient);
            } finally {
                again.close();
            }
        }
    }

    @Test
    void theClientDefaultCanBeWaitForReadyAndAFailFastCallOverridesIt() {
        int port = Servers.freePort();
        try (ResilientClient client = Servers.client("127.0.0.1:" + port)
                .reconnectPolicy(Servers.FAST).waitForReady(true).callTimeout(Duration.ofSeconds(10)).build().start()) {
            CompletableFuture<Payload> waits = client.call(ECHO, Payload.utf8("default"));
            assertEquals(ErrorCode.UNAVAILABLE.code(), failureCode(client.call(ECHO, Payload.utf8("x"),
                    CallOptions.defaults().waitForReady(false))));
            try (McpServer server = Servers.memory(port)) {
                assertReply("default", waits);
            }
        }
    }

    @Test
    void anIdempotentCallCutOffByAServerStopIsRetriedOnTheNextServer() {
        int port = Servers.freePort();
        int lookup = 0x0100;
        // The first server never answers; stopping it cuts the call off (UNAVAILABLE after its drain).
        // Its handler's stage ends only with the connection, so that the library can release the
        // request (it does once the handler is done): a stage that never completes leaks it.
        McpServer stuck = McpServer.builder().host("127.0.0.1").port(port).drainTimeout(Duration.ofMillis(200))
                .handle(lookup, request -> {
                    CompletableFuture<Payload> never = new CompletableFuture<>();
                    request.connection().closeFuture().whenComplete((v, e) ->
                            never.completeExceptionally(new McpException(ErrorCode.CANCELLED, "connection closed")));
                    return never;
                }).start();
        try (ResilientClient client = Servers.client("127.0.0.1:" + port)
                .reconnectPolicy(Servers.FAST).build().start()) {
            awaitState(client::state, ClientState.CONNECTED);
            CompletableFuture<Payload> call = client.call(lookup, Payload.utf8("key"),
                    WAIT_10S.idempotent(true));
            CompletableFuture<Payload> notIdempotent = client.call(lookup, Payload.utf8("key"), WAIT_10S);
            stuck.close();
            assertEquals(ErrorCode.UNAVAILABLE.code(), failureCode(notIdempotent), "not retried");
            try (McpServer answering = McpServer.builder().host("127.0.0.1").port(port)
                    .handle(lookup, request -> CompletableFuture.completedFuture(Payload.utf8("value"))).start()) {
                assertReply("value", call);
            }
        }
    }
}
