package org.mcpjava.e2e;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.codec.CodecRegistry;
import org.mcpjava.codec.PayloadCodec;
import org.mcpjava.codec.RawCodec;
import org.mcpjava.core.Handlers;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Request / response over loopback: ECHO, INFO, and how handler outcomes map to error codes. */
class RequestResponseE2ETest {
    static final int ECHO = 0xFF01;
    static final int INFO = 0xFF02;
    static final int THROWS = 0x0010;
    static final int FAILS_STAGE = 0x0011;
    static final int DENIED = 0x0012;
    static final int APP_ERROR = 0x0013;
    static final int BLOCKING_UPPER = 0x0014;
    static final int APP_CODEC = 200;

    private final Loopback loop = new Loopback();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private McpServer server;
    private McpClient client;

    @BeforeEach
    void start() {
        server = loop.server(McpServer.builder()
                .name("rr-server")
                .codecs(CodecRegistry.builder().add(new RawCodec()).add(new PassThroughCodec(APP_CODEC)).build())
                .handle(THROWS, request -> {
                    throw new IllegalStateException("handler bug");
                })
                .handle(FAILS_STAGE, request -> CompletableFuture.failedFuture(new ArithmeticException("boom")))
                .handle(DENIED, request -> {
                    throw new McpException(ErrorCode.PERMISSION_DENIED, "not for you");
                })
                .handle(APP_ERROR, request -> CompletableFuture.failedFuture(
                        new McpException(0x8001, "out of coffee", null)))
                .handle(BLOCKING_UPPER, Handlers.blocking(executor,
                        request -> Payload.utf8(request.payload().toUtf8().toUpperCase()))));
        client = loop.client(server);
    }

    @AfterEach
    void stop() throws Exception {
        loop.close();
        executor.shutdownNow();
    }

    @Test
    void echoesRawBytes() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        Payload reply = McpClient.await(client.call(ECHO, Payload.raw(all.clone()), Loopback.WAIT));
        try {
            assertEquals(0, reply.codec());
            assertArrayEquals(all, reply.toBytes());
        } finally {
            reply.release();
        }
        Payload empty = McpClient.await(client.call(ECHO, Payload.empty(), Loopback.WAIT));
        try {
            assertEquals(0, empty.size());
        } finally {
            empty.release();
        }
    }

    @Test
    void echoesOneMebibyte() {
        byte[] big = new byte[1024 * 1024];
        new Random(42).nextBytes(big);
        Payload reply = McpClient.await(client.call(ECHO, Payload.raw(big.clone()), Loopback.WAIT));
        try {
            assertEquals(big.length, reply.size());
            assertArrayEquals(big, reply.toBytes());
        } finally {
            reply.release();
        }
    }

    @Test
    void infoIsJsonWithServerVersionAndSession() {
        Payload reply = McpClient.await(client.call(INFO, Payload.empty(), Loopback.WAIT));
        try {
            assertEquals(1, reply.codec(), "INFO is JSON (codec 1)");
            String json = reply.toUtf8();
            assertTrue(json.startsWith("{") && json.endsWith("}"), json);
            assertTrue(json.contains("\"server\":\"rr-server\""), json);
            assertTrue(json.matches(".*\"version\":\"[^\"]+\".*"), json);
            assertTrue(json.contains("\"sessionId\":\"" + client.sessionId() + "\""), json);
        } finally {
            reply.release();
        }
    }

    @Test
    void unknownOpcodeIsNotFound() {
        McpException e = assertThrows(McpException.class,
                () -> McpClient.await(client.call(0x0999, Payload.utf8("?"), Loopback.WAIT)));
        assertEquals(ErrorCode.NOT_FOUND.code(), e.code());
        Loopback.assertEcho(client, "still fine");
    }

    @Test
    void throwingHandlerIsInternalAndTheConnectionCarriesOn() {
        McpException thrown = assertThrows(McpException.class,
                () -> McpClient.await(client.call(THROWS, Payload.empty(), Loopback.WAIT)));
        assertEquals(ErrorCode.INTERNAL.code(), thrown.code());
        McpException failed = assertThrows(McpException.class,
                () -> McpClient.await(client.call(FAILS_STAGE, Payload.empty(), Loopback.WAIT)));
        assertEquals(ErrorCode.INTERNAL.code(), failed.code());
        assertTrue(client.isActive());
        Loopback.assertEcho(client, "next call works");
    }

    @Test
    void handlerChoosesTheErrorCode() {
        McpException denied = assertThrows(McpException.class,
                () -> McpClient.await(client.call(DENIED, Payload.empty(), Loopback.WAIT)));
        assertEquals(ErrorCode.PERMISSION_DENIED.code(), denied.code());
        assertEquals("not for you", denied.detail());

        McpException app = assertThrows(McpException.class,
                () -> McpClient.await(client.call(APP_ERROR, Payload.empty(), Loopback.WAIT)));
        assertEquals(0x8001, app.code());
        assertEquals("APPLICATION(0x8001)", app.codeName());
        assertEquals("out of coffee", app.detail());
    }

    @Test
    void theSizeCheckCountsTheDecoratorsMetadata() {
        int maxFrame = 8 * 1024;
        McpServer small = loop.server(McpServer.builder().maxFrame(maxFrame));
        String traceparent = "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01";
        McpClient traced = loop.client(small, b -> b.decorator((kind, name) -> Map.of(0x02, traceparent)));
        // Fits with TIMEOUT_MS alone (22 + 7 + payload = MAX_FRAME), not with the TRACEPARENT entry too:
        // refused here instead of making the server close the connection with FRAME_TOO_LARGE.
        byte[] payload = new byte[maxFrame - 22 - 7];
        McpException tooBig = assertThrows(McpException.class,
                () -> McpClient.await(traced.call(ECHO, Payload.raw(payload), Loopback.WAIT)));
        assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), tooBig.code());
        assertTrue(traced.isActive(), "the connection is still up");
        Payload fits = McpClient.await(traced.call(ECHO, Payload.raw(new byte[1024]), Loopback.WAIT));
        fits.release();
    }

    @Test
    void blockingHandlerRunsOffTheEventLoop() {
        Payload reply = McpClient.await(client.call(BLOCKING_UPPER, Payload.utf8("shout"), Loopback.WAIT));
        try {
            assertEquals("SHOUT", reply.toUtf8());
        } finally {
            reply.release();
        }
    }

    @Test
    void maxFrameIsEnforcedInBothDirections() {
        McpServer small = loop.server(McpServer.builder().maxFrame(64 * 1024));
        McpClient client = loop.client(small, b -> b.maxFrame(32 * 1024));
        // Over the server's MAX_FRAME: refused before sending.
        McpException tooBig = assertThrows(McpException.class,
                () -> McpClient.await(client.call(ECHO, Payload.raw(new byte[64 * 1024]), Loopback.WAIT)));
        assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), tooBig.code());
        // Fits the server, but the echo would not fit the client's MAX_FRAME: the server answers
        // FRAME_TOO_LARGE instead of sending a frame the client would have to reject.
        McpException replyTooBig = assertThrows(McpException.class,
                () -> McpClient.await(client.call(ECHO, Payload.raw(new byte[40 * 1024]), Loopback.WAIT)));
        assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), replyTooBig.code());
        Payload fits = McpClient.await(client.call(ECHO, Payload.raw(new byte[30 * 1024]), Loopback.WAIT));
        try {
            assertEquals(30 * 1024, fits.size());
        } finally {
            fits.release();
        }
    }

    @Test
    void rawEchoKeepsStreamOpcodeAndCodec() throws Exception {
        RawMcpSocket raw = loop.raw(server);
        raw.handshake();
        byte[] body = "{\"v\":1}".getBytes(StandardCharsets.UTF_8);
        raw.send(raw.begin(FrameType.REQUEST, 0, APP_CODEC, ECHO, 41).payload(body).finish());
        RawFrame answer = raw.readAnswer(41);
        assertEquals(FrameType.RESPONSE, answer.type);
        assertEquals(ECHO, answer.opcode);
        assertEquals(APP_CODEC, answer.codec);
        assertArrayEquals(body, answer.payload);

        raw.sendRequest(43, 0x0999, new byte[0]);
        RawFrame notFound = raw.expectError(43, ErrorCode.NOT_FOUND);
        assertEquals(0x0999, notFound.opcode, "ERROR echoes the opcode");
    }

    @Test
    void payloadInAnUnannouncedCodecIsRefused() throws Exception {
        RawMcpSocket raw = loop.raw(server);
        raw.handshake();
        raw.send(raw.begin(FrameType.REQUEST, 0, 3, ECHO, 1).payload(new byte[] {1, 2, 3}).finish());
        raw.expectError(1, ErrorCode.UNSUPPORTED_CODEC);
        raw.sendRequest(3, ECHO, "ok".getBytes(StandardCharsets.UTF_8));
        assertEquals("ok", raw.readAnswer(3).payloadUtf8());
    }

    /** An application codec that carries byte[] unchanged. */
    static final class PassThroughCodec implements PayloadCodec {
        private final int id;

        PassThroughCodec(int id) {
            this.id = id;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public String name() {
            return "pass-" + id;
        }

        @Override
        public boolean supports(Class<?> type) {
            return type == byte[].class;
        }

        @Override
        public void encode(Object value, ByteBuf out) {
            out.writeBytes((byte[]) value);
        }

        @Override
        public <T> T decode(ByteBuf in, Class<T> type) {
            return type.cast(ByteBufUtil.getBytes(in));
        }
    }
}
