package org.mcpjava.codecs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.google.protobuf.StringValue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcpjava.codec.CodecRegistry;
import org.mcpjava.core.Payload;
import org.mcpjava.wire.Codecs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.codecs.Samples.assertInvalidPayload;
import static org.mcpjava.codecs.Samples.roundTrip;

class JsonCodecTest {
    private final CodecRegistry registry = CodecRegistry.builder().add(new JsonCodec()).build();

    @ParameterizedTest
    @MethodSource("org.mcpjava.codecs.Samples#allocators")
    void recordRoundTrips(ByteBufAllocator alloc) {
        Samples.Greeting g = Samples.Greeting.sample();
        assertEquals(g, roundTrip(registry, alloc, Codecs.JSON, g, Samples.Greeting.class));
    }

    @ParameterizedTest
    @MethodSource("org.mcpjava.codecs.Samples#allocators")
    void pojoRoundTrips(ByteBufAllocator alloc) {
        Samples.Account a = new Samples.Account("grace", 12.5, true);
        assertEquals(a, roundTrip(registry, alloc, Codecs.JSON, a, Samples.Account.class));
    }

    @Test
    void plainValuesRoundTrip() {
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        assertEquals("héllo \"x\"", roundTrip(registry, alloc, Codecs.JSON, "héllo \"x\"", String.class));
        assertEquals(42L, roundTrip(registry, alloc, Codecs.JSON, 42L, Long.class));
        assertEquals(Map.of("k", List.of(1, 2)), roundTrip(registry, alloc, Codecs.JSON, Map.of("k", List.of(1, 2)), Map.class));
        assertNull(roundTrip(registry, alloc, Codecs.JSON, null, Samples.Reply.class));
    }

    @Test
    void writesUtf8JsonAtTheWriterIndexAndInstantsAsIsoText() throws Exception {
        ByteBuf out = Unpooled.buffer();
        try {
            out.writeByte('#');
            new JsonCodec().encode(new Samples.Reply("é", 1), out);
            assertEquals("#{\"text\":\"é\",\"length\":1}", out.toString(StandardCharsets.UTF_8));
            out.clear();
            new JsonCodec().encode(Samples.Greeting.sample(), out);
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("\"at\":\"2025-01-02T03:04:05.123456789Z\""));
        } finally {
            out.release();
        }
    }

    @Test
    void decodesFromACompositeBufferWithoutTouchingTheSource() throws Exception {
        byte[] json = "{\"text\":\"hi\",\"length\":2}".getBytes(StandardCharsets.UTF_8);
        CompositeByteBuf in = Unpooled.compositeBuffer();
        try {
            in.addComponents(true, Unpooled.wrappedBuffer(json, 0, 5), Unpooled.wrappedBuffer(json, 5, json.length - 5));
            assertEquals(new Samples.Reply("hi", 2), new JsonCodec().decode(in.slice(), Samples.Reply.class));
            assertEquals(json.length, in.readableBytes());
        } finally {
            in.release();
        }
    }

    @Test
    void ignoresUnknownProperties() {
        Payload p = Payload.of(Codecs.JSON, Unpooled.copiedBuffer("{\"text\":\"x\",\"length\":1,\"extra\":[1,{}]}", StandardCharsets.UTF_8));
        try {
            assertEquals(new Samples.Reply("x", 1), registry.decode(p, Samples.Reply.class));
        } finally {
            p.release();
        }
    }

    @Test
    void trailingWhitespaceIsFineButTrailingDataIsNotWhateverTheMapperSays() throws Exception {
        JsonCodec lenient = new JsonCodec(JsonCodec.defaultMapper()
                .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS));
        ByteBuf ok = Unpooled.copiedBuffer(" {\"text\":\"x\",\"length\":1} \r\n", StandardCharsets.UTF_8);
        ByteBuf trailing = Unpooled.copiedBuffer("{\"text\":\"x\",\"length\":1}{}", StandardCharsets.UTF_8);
        try {
            assertEquals(new Samples.Reply("x", 1), lenient.decode(ok, Samples.Reply.class));
            assertThrows(Exception.class, () -> lenient.decode(trailing, Samples.Reply.class));
        } finally {
            ok.release();
            trailing.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{not json", "{\"text\":\"x\",\"length\":1} trailing", "{\"text\":\"x\",\"length\":\"many\"}", "\uFFFD\u0000"})
    void payloadThatDoesNotDecodeIsInvalidPayload(String text) {
        Payload p = Payload.of(Codecs.JSON, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        try {
            assertInvalidPayload(() -> registry.decode(p, Samples.Reply.class));
            assertEquals(1, p.refCnt());
        } finally {
            p.release();
        }
    }

    @Test
    void supportsObjectsButNotRawBytesNorProtobufMessages() {
        JsonCodec codec = new JsonCodec();
        assertTrue(codec.supports(Samples.Greeting.class));
        assertTrue(codec.supports(Samples.Account.class));
        assertTrue(codec.supports(String.class));
        assertTrue(codec.supports(Integer.class));
        assertTrue(codec.supports(Map.class));
        assertFalse(codec.supports(byte[].class));
        assertFalse(codec.supports(ByteBuffer.class));
        assertFalse(codec.supports(ByteBuf.class));
        assertFalse(codec.supports(CompositeByteBuf.class));
        assertFalse(codec.supports(StringValue.class));
    }

    @Test
    void encodingAnUnsupportedValueIsInvalidPayloadAndReleasesTheBuffer() {
        assertInvalidPayload(() -> registry.encode(ByteBufAllocator.DEFAULT, Codecs.JSON, StringValue.of("x")));
        assertInvalidPayload(() -> registry.encode(ByteBufAllocator.DEFAULT, Codecs.JSON, new byte[] {1}));
    }

    @Test
    void usesTheCallersMapper() throws Exception {
        ObjectMapper mapper = JsonCodec.defaultMapper().setPropertyNamingStrategy(PropertyNamingStrategies.UPPER_CAMEL_CASE);
        JsonCodec codec = new JsonCodec(mapper);
        ByteBuf out = Unpooled.buffer();
        try {
            codec.encode(new Samples.Reply("x", 1), out);
            assertEquals("{\"Text\":\"x\",\"Length\":1}", out.toString(StandardCharsets.UTF_8));
        } finally {
            out.release();
        }
    }

    @Test
    void rejectsAMapperForAnotherFormat() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new JsonCodec(MsgPackCodec.defaultMapper()));
        assertTrue(e.getMessage().contains("msgpack"), e.getMessage());
        assertThrows(NullPointerException.class, () -> new JsonCodec(null));
    }
}
