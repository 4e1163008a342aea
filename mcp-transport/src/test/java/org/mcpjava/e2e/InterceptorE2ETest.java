package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Handlers;
import org.mcpjava.core.Interceptor;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Interceptors around inbound requests, on the server and on the client. */
class InterceptorE2ETest {
    static final int WORK = 0x0001;
    static final int SECRET = 0x0002;
    static final int CALLBACK = 0x0003;
    static final int ON_CLIENT = 0x0004;
    static final int ADMIN_ONLY = 0x0005;

    private final Loopback loop = new Loopback();

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    private static Interceptor recording(List<String> trace, String name) {
        return (request, chain) -> {
            trace.add(name + ">");
            return chain.proceed(request).whenComplete((p, e) -> trace.add("<" + name));
        };
    }

    @Test
    void serverInterceptorsRunInOrderAroundTheHandler() {
        List<String> trace = new CopyOnWriteArrayList<>();
        McpServer server = loop.server(McpServer.builder()
                .intercept(recording(trace, "first"))
                .intercept(recording(trace, "second"))
                .handle(WORK, Handlers.sync(request -> {
                    trace.add("handler");
                    return Payload.utf8("done");
                })));
        McpClient client = loop.client(server);
        Payload reply = McpClient.await(client.call(WORK, Payload.empty(), Loopback.WAIT));
        reply.release();
        assertEquals(List.of("first>", "second>", "handler", "<second", "<first"), trace);
    }

    @Test
    void interceptorsCanRejectWithACode() {
        McpServer server = loop.server(McpServer.builder()
                .intercept((request, chain) -> {
                    if (request.opcode() == SECRET && !"let-me-in".equals(request.header("x-token"))) {
                        throw new McpException(ErrorCode.UNAUTHENTICATED, "token required");
                    }
                    return chain.proceed(request);
                })
                .intercept((request, chain) -> request.opcode() == ADMIN_ONLY
                        ? CompletableFuture.failedFuture(new McpException(ErrorCode.PERMISSION_DENIED, "admins only"))
                        : chain.proceed(request))
                .handle(SECRET, Handlers.sync(request -> Payload.utf8("secret")))
                .handle(ADMIN_ONLY, Handlers.sync(request -> Payload.utf8("admin"))));
        McpClient client = loop.client(server);
        McpException unauthenticated = assertThrows(McpException.class,
                () -> McpClient.await(client.call(SECRET, Payload.empty(), Loopback.WAIT)));
        assertEquals(ErrorCode.UNAUTHENTICATED.code(), unauthenticated.code());
        assertEquals("token required", unauthenticated.detail());
        McpException denied = assertThrows(McpException.class,
                () -> McpClient.await(client.call(ADMIN_ONLY, Payload.empty(), Loopback.WAIT)));
        assertEquals(ErrorCode.PERMISSION_DENIED.code(), denied.code());
        // Interceptors see the built-ins too, and let them through here.
        Loopback.assertEcho(client, "echo passes");
    }

    @Test
    void interceptorCallingProceedTwiceGetsAnError() {
        McpServer server = loop.server(McpServer.builder()
                .intercept((request, chain) -> {
                    if (request.opcode() != WORK) {
                        return chain.proceed(request);
                    }
                    chain.proceed(request).thenAccept(Payload::release);
                    return chain.proceed(request);
                })
                .handle(WORK, Handlers.sync(request -> Payload.utf8("once"))));
        McpClient client = loop.client(server);
        McpException e = assertThrows(McpException.class,
                () -> McpClient.await(client.call(WORK, Payload.empty(), Loopback.WAIT)));
        assertEquals(ErrorCode.INTERNAL.code(), e.code());
        Loopback.assertEcho(client, "connection survives a broken interceptor");
    }

    @Test
    void clientInterceptorsWrapServerInitiatedRequests() {
        McpServer server = loop.server(McpServer.builder()
                .handle(CALLBACK, request -> request.connection()
                        .call(request.payload().toUtf8().equals("allowed") ? ON_CLIENT : ADMIN_ONLY,
                                Payload.empty(), Loopback.WAIT)
                        .thenApply(reply -> {
                            try {
                                return Payload.utf8("client: " + reply.toUtf8());
                            } finally {
                                reply.release();
                            }
                        })));
        List<String> trace = new CopyOnWriteArrayList<>();
        McpClient client = loop.client(server, b -> b
                .intercept(recording(trace, "outer"))
                .intercept((request, chain) -> request.opcode() == ADMIN_ONLY
                        ? CompletableFuture.failedFuture(new McpException(ErrorCode.PERMISSION_DENIED, "no"))
                        : chain.proceed(request))
                .handle(ON_CLIENT, Handlers.sync(request -> {
                    trace.add("handler");
                    return Payload.utf8("ok");
                }))
                .handle(ADMIN_ONLY, Handlers.sync(request -> Payload.utf8("should not run"))));

        Payload reply = McpClient.await(client.call(CALLBACK, Payload.utf8("allowed"), Loopback.WAIT));
        try {
            assertEquals("client: ok", reply.toUtf8());
        } finally {
            reply.release();
        }
        assertEquals(List.of("outer>", "handler", "<outer"), trace);

        McpException denied = assertThrows(McpException.class,
                () -> McpClient.await(client.call(CALLBACK, Payload.utf8("denied"), Loopback.WAIT)));
        assertEquals(ErrorCode.PERMISSION_DENIED.code(), denied.code());
    }
}
