package org.mcpjava.codecs;

import com.google.protobuf.ListValue;
import com.google.protobuf.MessageLite;
import com.google.protobuf.NullValue;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
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

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.codecs.Samples.assertInvalidPayload;
import static org.mcpjava.codecs.Samples.roundTrip;

class ProtobufCodecTest {
    private final CodecRegistry registry = CodecRegistry.builder().add(new ProtobufCodec()).build();

    static Struct struct() {
        return Struct.newBuilder()
                .putFields("name", Value.newBuilder().setStringValue("ada").build())
                .putFields("n", Value.newBuilder().setNumberValue(3.5).build())
                .putFields("ok", Value.newBuilder().setBoolValue(true).build())
                .putFields("none", Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build())
                .putFields("list", Value.newBuilder().setListValue(ListValue.newBuilder()
                        .addValues(Value.newBuilder().setStringValue("x"))
                        .addValues(Value.newBuilder().setStructValue(Struct.getDefaultInstance()))).build())
                .build();
    }

    @ParameterizedTest
    @MethodSource("org.mcpjava.codecs.Samples#allocators")
    void structRoundTrips(ByteBufAllocator alloc) {
        assertEquals(struct(), roundTrip(registry, alloc, Codecs.PROTOBUF, struct(), Struct.class));
    }

    @ParameterizedTest
    @MethodSource("org.mcpjava.codecs.Samples#allocators")
    void wrappersAndTimestampsRoundTrip(ByteBufAllocator alloc) {
        StringValue s = StringValue.of("héllo");
        assertEquals(s, roundTrip(registry, alloc, Codecs.PROTOBUF, s, StringValue.class));
        Timestamp t = Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(123).build();
        assertEquals(t, roundTrip(registry, alloc, Codecs.PROTOBUF, t, Timestamp.class));
        assertEquals(StringValue.getDefaultInstance(),
                roundTrip(registry, alloc, Codecs.PROTOBUF, StringValue.getDefaultInstance(), StringValue.class));
    }

    @Test
    void writesTheWireFormatAtTheWriterIndexIntoEveryKindOfBuffer() throws Exception {
        ProtobufCodec codec = new ProtobufCodec();
        StringValue s = StringValue.of("hi");
        // Heap, direct, and a composite (which takes the stream path); each starts with one byte
        // and has too little room, so the codec has to grow it.
        ByteBuf[] outs = {Unpooled.buffer(1), Unpooled.directBuffer(1), Unpooled.compositeBuffer()};
        for (ByteBuf out : outs) {
            try {
                out.writeByte(0xEE);
                codec.encode(s, out);
                assertEquals("ee0a026869", ByteBufUtil.hexDump(out), out.getClass().getSimpleName());
            } finally {
                out.release();
            }
        }
    }

    @Test
    void decodesFromACompositeBufferAndDoesNotShareItsMemory() throws Exception {
        byte[] bytes = StringValue.of("hello").toByteArray();
        CompositeByteBuf in = Unpooled.compositeBuffer();
        StringValue decoded;
        try {
            in.addComponents(true, Unpooled.copiedBuffer(bytes, 0, 3), Unpooled.copiedBuffer(bytes, 3, bytes.length - 3));
            decoded = new ProtobufCodec().decode(in.slice(), StringValue.class);
            in.setZero(0, in.capacity());
        } finally {
            in.release();
        }
        assertEquals("hello", decoded.getValue());
        ByteBuf direct = Unpooled.directBuffer().writeBytes(bytes);
        try {
            decoded = new ProtobufCodec().decode(direct.slice(), StringValue.class);
            direct.setZero(0, direct.capacity());
        } finally {
            direct.release();
        }
        assertEquals("hello", decoded.getValue());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "0a0561",       // field 1 claims 5 bytes, 1 follows
        "0f",           // wire type 7 does not exist
        "0a",           // tag without length
        "ffffffffffffffffffff01", // varint longer than 10 bytes
    })
    void payloadThatDoesNotDecodeIsInvalidPayload(String hex) {
        Payload p = Payload.of(Codecs.PROTOBUF, Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex)));
        try {
            assertInvalidPayload(() -> registry.decode(p, StringValue.class));
        } finally {
            p.release();
        }
    }

    @Test
    void typesThatAreNotGeneratedMessagesAreInvalidPayload() {
        Payload p = Payload.of(Codecs.PROTOBUF, Unpooled.wrappedBuffer(StringValue.of("x").toByteArray()));
        try {
            assertInvalidPayload(() -> registry.decode(p, MessageLite.class));
            assertInvalidPayload(() -> registry.decode(p, String.class));
        } finally {
            p.release();
        }
        assertInvalidPayload(() -> registry.encode(ByteBufAllocator.DEFAULT, Codecs.PROTOBUF, "not a message"));
    }

    @Test
    void supportsGeneratedMessagesOnly() {
        ProtobufCodec codec = new ProtobufCodec();
        assertTrue(codec.supports(StringValue.class));
        assertTrue(codec.supports(Struct.class));
        assertTrue(codec.supports(MessageLite.class));
        assertFalse(codec.supports(String.class));
        assertFalse(codec.supports(Samples.Greeting.class));
        assertFalse(codec.supports(byte[].class));
        assertFalse(codec.supports(ByteBuffer.class));
    }

    @Test
    void encodesTheSameBytesAsProtobufItself() {
        Payload p = registry.encode(ByteBufAllocator.DEFAULT, Codecs.PROTOBUF, struct());
        try {
            assertArrayEquals(struct().toByteArray(), p.toBytes());
        } finally {
            p.release();
        }
    }
}
