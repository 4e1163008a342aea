package org.mcpjava.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The four test vectors of MCP-SPEC section 10, byte for byte, in both directions. */
class SpecVectorsTest {
    static final String PING = "4d 43 01 03 00 00 00 00 00 00 00 00 00 00 00 00 00 08 00 00 00 00 00 00 00 2a 60 c3 25 bc";
    static final String REQUEST = "4d 43 01 10 00 00 ff 01 00 00 00 01 00 07 00 00 00 02 04 00 04 00 00 03 e8 68 69 fd 11 fd eb";
    static final String PUBLISH = "4d 43 01 20 01 01 00 00 00 00 00 07 00 0d 00 00 00 0a 01 00 0a 73 65 6e 73 6f 72 73 2f 74 31 "
            + "7b 22 76 22 3a 32 31 2e 35 7d 0d 57 e8 62";
    static final String HELLO = "4d 43 01 01 00 00 00 00 00 00 00 00 00 15 00 00 00 00 20 00 05 64 65 76 2d 31 21 00 04 00 00 75 30 "
            + "24 00 03 01 03 00 e6 b1 75 5d";

    private final FrameWriter writer = new FrameWriter();
    private final FrameDecoder decoder = new FrameDecoder();

    static byte[] hex(String s) {
        return ByteBufUtil.decodeHexDump(s.replace(" ", ""));
    }

    private static void assertEncodes(String expectedHex, ByteBuf frame) {
        try {
            assertEquals(expectedHex.replace(" ", ""), ByteBufUtil.hexDump(frame));
        } finally {
            frame.release();
        }
    }

    private ByteBuf decodeWhole(String vector) {
        ByteBuf in = Unpooled.wrappedBuffer(hex(vector));
        try {
            ByteBuf frame = decoder.decode(in);
            assertFalse(in.isReadable(), "decoder consumed the whole vector");
            return frame;
        } finally {
            in.release();
        }
    }

    @Test
    void crc32cCheckValue() {
        ByteBuf b = Unpooled.copiedBuffer("123456789", StandardCharsets.US_ASCII);
        assertEquals(0xE3069283, Crc32c.compute(b, 0, 9));
        b.release();
    }

    @Test
    void pingVector() {
        assertEncodes(PING, writer.begin(PooledByteBufAllocator.DEFAULT, 8, FrameType.PING, 0, 0, 0, 0)
                .payload(Unpooled.buffer(8).writeLong(42)).finish());
        ByteBuf f = decodeWhole(PING);
        try {
            assertEquals(FrameType.PING, FrameHeader.type(f));
            assertEquals(0, FrameHeader.streamId(f));
            assertEquals(0, FrameHeader.metadataLength(f));
            assertEquals(8, FrameHeader.payloadLength(f));
            assertEquals(42L, FrameHeader.payload(f).getLong(0));
            assertEquals(0x60c325bc, FrameHeader.checksum(f));
        } finally {
            f.release();
        }
    }

    @Test
    void requestVector() {
        assertEncodes(REQUEST, writer.begin(PooledByteBufAllocator.DEFAULT, 2, FrameType.REQUEST, 0, Codecs.RAW, 0xFF01, 1)
                .u32(MetadataKey.TIMEOUT_MS, 1000).payload("hi".getBytes(StandardCharsets.UTF_8)).finish());
        ByteBuf f = decodeWhole(REQUEST);
        try {
            assertEquals(FrameType.REQUEST, FrameHeader.type(f));
            assertEquals(0xFF01, FrameHeader.opcode(f));
            assertEquals(1, FrameHeader.streamId(f));
            assertEquals(Codecs.RAW, FrameHeader.codec(f));
            assertEquals(1000L, Metadata.number(f, MetadataKey.TIMEOUT_MS, -1));
            assertEquals("hi", FrameHeader.payload(f).toString(StandardCharsets.UTF_8));
        } finally {
            f.release();
        }
    }

    @Test
    void publishVector() {
        assertEncodes(PUBLISH, writer.begin(PooledByteBufAllocator.DEFAULT, 10, FrameType.PUBLISH, Flags.publish(1, false, false),
                        Codecs.JSON, 0, 7)
                .utf8(MetadataKey.TOPIC, "sensors/t1").payload("{\"v\":21.5}".getBytes(StandardCharsets.UTF_8)).finish());
        ByteBuf f = decodeWhole(PUBLISH);
        try {
            assertEquals(FrameType.PUBLISH, FrameHeader.type(f));
            assertEquals(1, Flags.qos(FrameHeader.flags(f)));
            assertEquals(Codecs.JSON, FrameHeader.codec(f));
            assertEquals(7, FrameHeader.streamId(f));
            assertEquals("sensors/t1", Metadata.string(f, MetadataKey.TOPIC));
            assertEquals("{\"v\":21.5}", FrameHeader.payload(f).toString(StandardCharsets.UTF_8));
        } finally {
            f.release();
        }
    }

    @Test
    void helloVector() {
        assertEncodes(HELLO, writer.begin(PooledByteBufAllocator.DEFAULT, 0, FrameType.HELLO, 0, 0, 0, 0)
                .utf8(MetadataKey.CLIENT_ID, "dev-1").u32(MetadataKey.KEEPALIVE_MS, 30000)
                .bytes(MetadataKey.CODECS.wire(), new byte[] {1, 3, 0}).finish());
        ByteBuf f = decodeWhole(HELLO);
        try {
            assertEquals(FrameType.HELLO, FrameHeader.type(f));
            assertEquals("dev-1", Metadata.string(f, MetadataKey.CLIENT_ID));
            assertEquals(30000L, Metadata.number(f, MetadataKey.KEEPALIVE_MS, -1));
            assertArrayEquals(new byte[] {1, 3, 0}, Metadata.bytes(f, MetadataKey.CODECS.wire()));
            assertEquals(0, FrameHeader.payloadLength(f));
            assertNull(Metadata.string(f, MetadataKey.TOPIC));
        } finally {
            f.release();
        }
    }
}
