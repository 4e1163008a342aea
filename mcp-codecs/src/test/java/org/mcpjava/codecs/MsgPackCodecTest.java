package org.mcpjava.codecs;

import com.google.protobuf.StringValue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcpjava.codec.CodecRegistry;
import org.mcpjava.core.Payload;
import org.mcpjava.wire.Codecs;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.codecs.Samples.assertInvalidPayload;
import static org.mcpjava.codecs.Samples.roundTrip;

class MsgPackCodecTest {
    private final CodecRegistry registry = CodecRegistry.builder().add(new MsgPackCodec()).add(new JsonCodec()).build();

    @ParameterizedTest
    @MethodSource("org.mcpjava.codecs.Samples#allocators")
    void recordRoundTrips(ByteBufAllocator alloc) {
        Samples.Greeting g = Samples.Greeting.sample();
        assertEquals(g, roundTrip(registry, alloc, Codecs.MSGPACK, g, Samples.Greeting.class));
    }

    @ParameterizedTest
    @MethodSource("org.mcpjava.codecs.Samples#allocators")
    void pojoRoundTrips(ByteBufAllocator alloc) {
        Samples.Account a = new Samples.Account("grace", -0.25, false);
        assertEquals(a, roundTrip(registry, alloc, Codecs.MSGPACK, a, Samples.Account.class));
    }

    @Test
    void plainValuesRoundTrip() {
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        assertEquals("héllo", roundTrip(registry, alloc, Codecs.MSGPACK, "héllo", String.class));
        assertEquals(Long.MIN_VALUE, roundTrip(registry, alloc, Codecs.MSGPACK, Long.MIN_VALUE, Long.class));
        assertEquals(Map.of("k", List.of("v")), roundTrip(registry, alloc, Codecs.MSGPACK, Map.of("k", List.of("v")), Map.class));
    }

    @Test
    void bindsTheSameWayAsJson() {
        Samples.Greeting g = Samples.Greeting.sample();
        Map<?, ?> viaMsgPack = roundTrip(registry, ByteBufAllocator.DEFAULT, Codecs.MSGPACK, g, Map.class);
        Map<?, ?> viaJson = roundTrip(registry, ByteBufAllocator.DEFAULT, Codecs.JSON, g, Map.class);
        assertEquals(viaJson, viaMsgPack);
        assertEquals("2025-01-02T03:04:05.123456789Z", viaMsgPack.get("at"));
    }

    @Test
    void writesMessagePackAtTheWriterIndex() throws Exception {
        ByteBuf out = Unpooled.buffer();
        try {
            out.writeByte(0x7F);
            new MsgPackCodec().encode(new Samples.Reply("x", 1), out);
            // fixmap(2) "text" -> "x", "length" -> 1
            assertEquals("7f82a474657874a178a66c656e67746801", ByteBufUtil.hexDump(out));
        } finally {
            out.release();
        }
    }

    @Test
    void decodesFromACompositeBuffer() throws Exception {
        byte[] bytes = ByteBufUtil.decodeHexDump("82a474657874a178a66c656e67746801");
        CompositeByteBuf in = Unpooled.compositeBuffer();
        try {
            in.addComponents(true, Unpooled.wrappedBuffer(bytes, 0, 3), Unpooled.wrappedBuffer(bytes, 3, bytes.length - 3));
            assertEquals(new Samples.Reply("x", 1), new MsgPackCodec().decode(in.slice(), Samples.Reply.class));
        } finally {
            in.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                                     // no value
        "c1",                                   // the one byte MessagePack never uses
        "82a474657874",                         // map truncated after the first key
        "82a474657874a178a66c656e677468a3616263", // length is a string
        "82a474657874a178a66c656e6774680101",   // trailing byte after the value
        "82a474657874a178a66c656e67746801a5",   // trailing start of a truncated string
    })
    void payloadThatDoesNotDecodeIsInvalidPayload(String hex) {
        Payload p = Payload.of(Codecs.MSGPACK, Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex)));
        try {
            assertInvalidPayload(() -> registry.decode(p, Samples.Reply.class));
        } finally {
            p.release();
        }
    }

    @Test
    void supportsTheSameTypesAsJson() {
        MsgPackCodec codec = new MsgPackCodec();
        assertTrue(codec.supports(Samples.Greeting.class));
        assertTrue(codec.supports(String.class));
        assertFalse(codec.supports(byte[].class));
        assertFalse(codec.supports(ByteBuf.class));
        assertFalse(codec.supports(StringValue.class));
    }

    @Test
    void aCallersMapperWithTheTrailingTokenCheckStillDecodes() throws Exception {
        // Jackson's own check would fail every payload (MessagePackParser throws at end of input).
        MsgPackCodec codec = new MsgPackCodec(MsgPackCodec.defaultMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS));
        ByteBuf in = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("82a474657874a178a66c656e67746801"));
        try {
            assertEquals(new Samples.Reply("x", 1), codec.decode(in, Samples.Reply.class));
        } finally {
            in.release();
        }
    }

    @Test
    void rejectsAMapperForAnotherFormat() {
        assertThrows(IllegalArgumentException.class, () -> new MsgPackCodec(JsonCodec.defaultMapper()));
    }
}
