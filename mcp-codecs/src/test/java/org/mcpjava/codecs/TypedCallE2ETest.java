package org.mcpjava.codecs;

import com.google.protobuf.StringValue;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Handlers;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.Codecs;
import org.mcpjava.wire.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Typed calls in every codec over a real loopback connection. */
class TypedCallE2ETest {
    private static final int GREET = 0x0001;
    private static final int GREET_PROTOBUF = 0x0002;
    private static final int GREET_RAW = 0x0003;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private static ExecutorService executor;
    private static McpServer server;

    @BeforeAll
    static void startServer() {
        executor = Executors.newFixedThreadPool(2);
        server = McpServer.builder()
                .host("127.0.0.1")
                .port(0)
                .handle(GREET, Handlers.typed(Samples.Greeting.class, executor,
                        g -> new Samples.Reply("hello " + g.name() + " x" + g.times() + " " + g.tags(), g.at().getEpochSecond())))
                .handle(GREET_PROTOBUF, Handlers.typed(StringValue.class, executor,
                        s -> StringValue.of("hello " + s.getValue())))
                .handle(GREET_RAW, Handlers.typed(byte[].class, executor,
                        b -> "hello " + new String(b, StandardCharsets.UTF_8)))
                .build()
                .start();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
        executor.shutdown();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
    }

    private static McpClient connect(int codec) {
        McpClient.Builder b = McpClient.builder()
                .address("127.0.0.1", server.address().getPort())
                .callTimeout(CALL_TIMEOUT);
        if (codec >= 0) {
            b.codec(codec);
        }
        return b.connect();
    }

    static Stream<Integer> jacksonCodecs() {
        return Stream.of(Codecs.JSON, Codecs.MSGPACK);
    }

    @ParameterizedTest
    @MethodSource("jacksonCodecs")
    void recordCallInJacksonCodecs(int codec) {
        try (McpClient client = connect(codec)) {
            Samples.Greeting g = Samples.Greeting.sample();
            Payload sent = client.encode(g);
            assertEquals(codec, sent.codec());
            sent.release();
            Samples.Reply reply = client.callBlocking(GREET, g, Samples.Reply.class);
            assertEquals(new Samples.Reply("hello ada x3 [a, b]", g.at().getEpochSecond()), reply);
        }
    }

    @Test
    void protobufCall() {
        try (McpClient client = connect(Codecs.PROTOBUF)) {
            assertEquals(StringValue.of("hello ada"), client.callBlocking(GREET_PROTOBUF, StringValue.of("ada"), StringValue.class));
        }
    }

    @Test
    void rawCall() {
        try (McpClient client = connect(Codecs.RAW)) {
            byte[] request = "ada".getBytes(StandardCharsets.UTF_8);
            assertEquals("hello ada", client.callBlocking(GREET_RAW, request, String.class));
        }
    }

    @Test
    void unforcedClientPicksTheCodecMadeForEachType() {
        try (McpClient client = connect(-1)) {
            assertCodec(client, Samples.Greeting.sample(), Codecs.JSON);
            assertCodec(client, StringValue.of("x"), Codecs.PROTOBUF);
            assertCodec(client, new byte[] {1}, Codecs.RAW);
            assertEquals(StringValue.of("hello ada"), client.callBlocking(GREET_PROTOBUF, StringValue.of("ada"), StringValue.class));
            assertEquals("hello ada", client.callBlocking(GREET_RAW, "ada".getBytes(StandardCharsets.UTF_8), String.class));
            assertNotNull(client.callBlocking(GREET, Samples.Greeting.sample(), Samples.Reply.class));
        }
    }

    private static void assertCodec(McpClient client, Object value, int codec) {
        Payload p = client.encode(value);
        try {
            assertEquals(codec, p.codec(), value.getClass().getName());
        } finally {
            p.release();
        }
    }

    static Stream<Arguments> garbage() {
        return Stream.of(
                Arguments.of(Codecs.JSON, GREET, "7b6e6f74206a736f6e"),   // "{not json"
                Arguments.of(Codecs.MSGPACK, GREET, "c1"),                // never-used MessagePack byte
                Arguments.of(Codecs.PROTOBUF, GREET_PROTOBUF, "0a0561"),  // truncated field
                Arguments.of(Codecs.RAW, GREET, "616461"));               // raw bytes are no record
    }

    @ParameterizedTest
    @MethodSource("garbage")
    void payloadThatDoesNotDecodeOnTheServerIsInvalidPayloadAndTheConnectionLives(int codec, int opcode, String hex) {
        try (McpClient client = connect(codec)) {
            Payload bad = Payload.of(codec, Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex)));
            CompletionException failed = assertThrows(CompletionException.class,
                    () -> client.call(opcode, bad, Duration.ofSeconds(5)).join().release());
            McpException e = McpException.find(failed);
            assertNotNull(e, () -> "not an McpException: " + failed.getCause());
            assertEquals(ErrorCode.INVALID_PAYLOAD.code(), e.code(), e.getMessage());

            // Same connection, still usable.
            if (codec == Codecs.PROTOBUF) {
                assertEquals(StringValue.of("hello ada"), client.callBlocking(GREET_PROTOBUF, StringValue.of("ada"), StringValue.class));
            } else if (codec == Codecs.RAW) {
                assertEquals("hello ada", client.callBlocking(GREET_RAW, "ada".getBytes(StandardCharsets.UTF_8), String.class));
            } else {
                assertEquals(new Samples.Reply("hello bob x1 []", 0),
                        client.callBlocking(GREET, new Samples.Greeting("bob", 1, List.of(), Map.of(), Instant.EPOCH),
                                Samples.Reply.class));
            }
        }
    }
}
