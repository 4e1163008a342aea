package org.mcpjava.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.wire.Codecs;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.Flags;
import org.mcpjava.wire.FrameException;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.Metadata;
import org.mcpjava.wire.MetadataKey;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FrameDecoderHandler} on an {@link EmbeddedChannel}: the spec's vectors split at every byte
 * boundary and fed byte by byte, several frames per read, oversize and corrupt input, input after an
 * error, and a connection closing inside a frame. Every frame read is released and every channel
 * ends with {@code finishAndReleaseAll()}.
 */
class FrameDecoderHandlerTest {
    // MCP-SPEC section 10, the same bytes as mcp-wire's SpecVectorsTest.
    private static final byte[] PING = hex("4d 43 01 03 00 00 00 00 00 00 00 00 00 00 00 00 00 08 00 00 00 00 00 00 00 2a 60 c3 25 bc");
    private static final byte[] REQUEST = hex("4d 43 01 10 00 00 ff 01 00 00 00 01 00 07 00 00 00 02 04 00 04 00 00 03 e8 68 69 fd 11 fd eb");
    private static final byte[] PUBLISH = hex("4d 43 01 20 01 01 00 00 00 00 00 07 00 0d 00 00 00 0a 01 00 0a 73 65 6e 73 6f 72 73 2f 74 31 "
            + "7b 22 76 22 3a 32 31 2e 35 7d 0d 57 e8 62");
    private static final byte[] HELLO = hex("4d 43 01 01 00 00 00 00 00 00 00 00 00 15 00 00 00 00 20 00 05 64 65 76 2d 31 21 00 04 00 00 75 30 "
            + "24 00 03 01 03 00 e6 b1 75 5d");
    private static final byte[][] VECTORS = {PING, REQUEST, PUBLISH, HELLO};
    private static final byte[] ALL = concat(VECTORS);

    private final List<EmbeddedChannel> channels = new ArrayList<>();

    /** Records exceptionCaught, so the test sees what the connection handler would see. */
    private static final class ExceptionRecorder extends ChannelInboundHandlerAdapter {
        final List<Throwable> causes = new ArrayList<>();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            causes.add(cause);
        }

        ErrorCode onlyErrorCode() {
            assertEquals(1, causes.size(), () -> "exactly one error expected: " + causes);
            FrameException e = FrameDecoderHandler.frameException(causes.get(0));
            assertNotNull(e, () -> "a FrameException in " + causes.get(0));
            return e.errorCode();
        }
    }

    private FrameDecoderHandler handler;
    private ExceptionRecorder errors;

    private EmbeddedChannel channel(int maxFrameLength) {
        handler = new FrameDecoderHandler(maxFrameLength);
        errors = new ExceptionRecorder();
        EmbeddedChannel ch = new EmbeddedChannel(handler, errors);
        channels.add(ch);
        return ch;
    }

    private EmbeddedChannel channel() {
        return channel(FrameHeader.DEFAULT_MAX_FRAME);
    }

    @AfterEach
    void finishAll() {
        for (EmbeddedChannel ch : channels) {
            assertFalse(ch.finishAndReleaseAll(), "every inbound frame was read and released by the test");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] hex(String s) {
        return ByteBufUtil.decodeHexDump(s.replace(" ", ""));
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuf b = Unpooled.buffer();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    /** {@code bytes[from, to)} in a fresh buffer, pooled direct or heap, which the channel takes over. */
    private static ByteBuf chunk(byte[] bytes, int from, int to, boolean direct) {
        ByteBuf b = direct ? PooledByteBufAllocator.DEFAULT.directBuffer(to - from) : Unpooled.buffer(to - from);
        return b.writeBytes(bytes, from, to - from);
    }

    /** Reads every frame the channel has passed on, copies its bytes and releases it. */
    private static List<byte[]> drain(EmbeddedChannel ch) {
        List<byte[]> out = new ArrayList<>();
        for (Object msg; (msg = ch.readInbound()) != null; ) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                out.add(ByteBufUtil.getBytes(frame));
            } finally {
                frame.release();
            }
        }
        return out;
    }

    /** Reads the four vector frames and checks every field of each, then releases them. */
    private static void assertVectorFrames(EmbeddedChannel ch, String context) {
        List<ByteBuf> frames = new ArrayList<>();
        for (Object msg; (msg = ch.readInbound()) != null; ) {
            frames.add((ByteBuf) msg);
        }
        try {
            assertEquals(4, frames.size(), context);
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(VECTORS[i], ByteBufUtil.getBytes(frames.get(i)), context + ", frame " + i);
            }
            ByteBuf ping = frames.get(0);
            assertEquals(FrameType.PING, FrameHeader.type(ping));
            assertEquals(0, FrameHeader.streamId(ping));
            assertEquals(0, FrameHeader.flags(ping));
            assertEquals(0, FrameHeader.metadataLength(ping));
            assertEquals(42L, FrameHeader.payload(ping).getLong(0));

            ByteBuf request = frames.get(1);
            assertEquals(FrameType.REQUEST, FrameHeader.type(request));
            assertEquals(1, FrameHeader.streamId(request));
            assertEquals(0xFF01, FrameHeader.opcode(request));
            assertEquals(Codecs.RAW, FrameHeader.codec(request));
            assertEquals(1000L, Metadata.number(request, MetadataKey.TIMEOUT_MS, -1));
            assertEquals("hi", FrameHeader.payload(request).toString(StandardCharsets.UTF_8));

            ByteBuf publish = frames.get(2);
            assertEquals(FrameType.PUBLISH, FrameHeader.type(publish));
            assertEquals(7, FrameHeader.streamId(publish));
            assertEquals(1, Flags.qos(FrameHeader.flags(publish)));
            assertEquals(Codecs.JSON, FrameHeader.codec(publish));
            assertEquals("sensors/t1", Metadata.string(publish, MetadataKey.TOPIC));
            assertEquals("{\"v\":21.5}", FrameHeader.payload(publish).toString(StandardCharsets.UTF_8));

            ByteBuf hello = frames.get(3);
            assertEquals(FrameType.HELLO, FrameHeader.type(hello));
            assertEquals("dev-1", Metadata.string(hello, MetadataKey.CLIENT_ID));
            assertEquals(30000L, Metadata.number(hello, MetadataKey.KEEPALIVE_MS, -1));
            assertArrayEquals(new byte[] {1, 3, 0}, Metadata.bytes(hello, MetadataKey.CODECS.wire()));
            assertEquals(0, FrameHeader.payloadLength(hello));
        } finally {
            for (ByteBuf f : frames) {
                f.release();
            }
        }
    }

    // ------------------------------------------------------------------ splitting

    @Test
    void vectorsSplitAtEveryByteBoundaryYieldTheFourFrames() {
        for (int k = 0; k <= ALL.length; k++) {
            EmbeddedChannel ch = channel();
            if (k > 0) {
                ch.writeInbound(chunk(ALL, 0, k, k % 2 == 0));
            }
            if (k < ALL.length) {
                ch.writeInbound(chunk(ALL, k, ALL.length, k % 2 == 1));
            }
            assertVectorFrames(ch, "split at " + k);
            assertTrue(errors.causes.isEmpty(), () -> "split at " + errors.causes);
            assertFalse(ch.finishAndReleaseAll());
            assertTrue(errors.causes.isEmpty(), "a clean close between frames is no error");
        }
    }

    @Test
    void vectorsFedOneByteAtATimeYieldEachFrameWhenItsLastByteArrives() {
        EmbeddedChannel ch = channel();
        int frameEnd = 0;
        int vector = 0;
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < ALL.length; i++) {
            ch.writeInbound(chunk(ALL, i, i + 1, i % 3 == 0));
            List<byte[]> now = drain(ch);
            if (i + 1 == frameEnd + VECTORS[vector].length) {
                assertEquals(1, now.size(), "frame " + vector + " complete at byte " + i);
                frameEnd += VECTORS[vector].length;
                vector++;
            } else {
                assertEquals(0, now.size(), "no frame before its last byte, byte " + i);
            }
            frames.addAll(now);
        }
        assertEquals(4, frames.size());
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(VECTORS[i], frames.get(i));
        }
        assertTrue(errors.causes.isEmpty(), errors.causes::toString);
    }

    @Test
    void vectorsInThreePiecesWrittenInOneCallYieldTheFourFrames() {
        // Three pieces at a grid of cut points, written in one writeInbound call (three reads, one read-complete).
        for (int a = 0; a <= ALL.length; a += 7) {
            for (int b = a; b <= ALL.length; b += 11) {
                EmbeddedChannel ch = channel();
                ch.writeInbound(chunk(ALL, 0, a, true), chunk(ALL, a, b, false), chunk(ALL, b, ALL.length, true));
                assertVectorFrames(ch, "cuts at " + a + ", " + b);
                assertTrue(errors.causes.isEmpty());
            }
        }
    }

    @Test
    void severalFramesInOneReadAllComeOut() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(chunk(ALL, 0, ALL.length, true));
        assertVectorFrames(ch, "one read");

        // Many small frames and one large one in a single read, then one and a half frames per read.
        FrameWriter writer = new FrameWriter();
        ByteBuf sticky = PooledByteBufAllocator.DEFAULT.directBuffer();
        for (int i = 1; i <= 50; i++) {
            writer.begin(sticky, FrameType.PUBACK, 0, 0, 0, i).finish();
        }
        writer.begin(sticky, FrameType.RESPONSE, 0, Codecs.RAW, 7, 3).payload(new byte[100_000]).finish();
        byte[] stickyBytes = ByteBufUtil.getBytes(sticky);
        ch.writeInbound(sticky);
        List<byte[]> frames = drain(ch);
        assertEquals(51, frames.size());
        for (int i = 0; i < 50; i++) {
            ByteBuf f = Unpooled.wrappedBuffer(frames.get(i));
            try {
                assertEquals(FrameType.PUBACK, FrameHeader.type(f));
                assertEquals(i + 1, FrameHeader.streamId(f));
            } finally {
                f.release();
            }
        }
        assertEquals(22 + 100_000, frames.get(50).length);

        int half = PING.length / 2;
        byte[] pings = concat(PING, PING, PING, PING);
        ch.writeInbound(chunk(pings, 0, PING.length + half, false));
        assertEquals(1, drain(ch).size());
        ch.writeInbound(chunk(pings, PING.length + half, 3 * PING.length, true));
        assertEquals(2, drain(ch).size());
        ch.writeInbound(chunk(pings, 3 * PING.length, pings.length, false));
        assertEquals(1, drain(ch).size());
        assertTrue(errors.causes.isEmpty());
        assertArrayEquals(stickyBytes, concat(frames.toArray(new byte[0][])));
    }

    // ------------------------------------------------------------------ errors

    @Test
    void oversizeHeaderRaisesFrameTooLargeBeforeAnyBodyByte() {
        EmbeddedChannel ch = channel(64);
        byte[] header = Arrays.copyOf(PING, FrameHeader.HEADER_LENGTH);
        header[17] = 43; // P = 43: 22 + 43 = 65 > 64
        ch.writeInbound(chunk(header, 0, header.length, true));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, errors.onlyErrorCode());
        assertTrue(handler.isFailed());
        assertTrue(drain(ch).isEmpty());
    }

    @Test
    void payloadLength0xFFFFFFFFRaisesFrameTooLargeFromTheHeaderSplitAcrossReads() {
        EmbeddedChannel ch = channel();
        byte[] header = Arrays.copyOf(PING, FrameHeader.HEADER_LENGTH);
        header[14] = header[15] = header[16] = header[17] = (byte) 0xFF;
        for (int i = 0; i < header.length - 1; i++) {
            ch.writeInbound(chunk(header, i, i + 1, false));
        }
        assertTrue(errors.causes.isEmpty(), "no verdict until the length is in");
        ch.writeInbound(chunk(header, header.length - 1, header.length, true));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, errors.onlyErrorCode());
        assertTrue(drain(ch).isEmpty());
    }

    @Test
    void frameOfExactlyTheMaximumIsAccepted() {
        EmbeddedChannel ch = channel(PING.length);
        ch.writeInbound(chunk(PING, 0, PING.length, true));
        assertEquals(1, drain(ch).size());
        assertTrue(errors.causes.isEmpty());
    }

    @Test
    void badMagicIsReportedFromTheFirstBytes() {
        EmbeddedChannel ch = channel();
        byte[] http = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        ch.writeInbound(chunk(http, 0, 2, false));
        assertEquals(ErrorCode.PROTOCOL_ERROR, errors.onlyErrorCode());
    }

    @Test
    void corruptFrameRaisesChecksumMismatch() {
        EmbeddedChannel ch = channel();
        byte[] bad = REQUEST.clone();
        bad[26] ^= 0x01; // a payload bit
        ch.writeInbound(chunk(bad, 0, bad.length, true));
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, errors.onlyErrorCode());
        assertTrue(drain(ch).isEmpty());
    }

    @Test
    void afterAnErrorFurtherInputIsDiscarded() {
        EmbeddedChannel ch = channel();
        byte[] bad = PING.clone();
        bad[2] = 2; // version 2
        ch.writeInbound(chunk(bad, 0, bad.length, false));
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, errors.onlyErrorCode());
        assertTrue(handler.isFailed());

        for (int i = 0; i < 3; i++) {
            ch.writeInbound(chunk(ALL, 0, ALL.length, i % 2 == 0)); // good frames: the stream is no longer trusted
        }
        ch.writeInbound(chunk(ALL, 0, 5, true)); // a partial frame too
        assertTrue(drain(ch).isEmpty(), "nothing is passed on after an error");
        assertEquals(1, errors.causes.size(), "no further errors are raised");

        assertFalse(ch.finishAndReleaseAll());
        assertEquals(1, errors.causes.size(), "closing a failed stream raises no truncation error");
    }

    @Test
    void goodFramesBeforeACorruptOneInTheSameReadArePassedOn() {
        EmbeddedChannel ch = channel();
        byte[] bad = HELLO.clone();
        bad[bad.length - 1] ^= 0x40; // trailer bit
        byte[] read = concat(PING, REQUEST, bad, PUBLISH);
        ch.writeInbound(chunk(read, 0, read.length, true));
        List<byte[]> frames = drain(ch);
        assertEquals(2, frames.size());
        assertArrayEquals(PING, frames.get(0));
        assertArrayEquals(REQUEST, frames.get(1));
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, errors.onlyErrorCode());
    }

    @Test
    void closeWithAPartialFrameBufferedIsATruncatedFrame() {
        for (int n : new int[] {1, 2, 17, 18, 19, REQUEST.length - 1}) {
            EmbeddedChannel ch = channel();
            ch.writeInbound(chunk(ALL, 0, PING.length, true));           // one whole frame,
            ch.writeInbound(chunk(REQUEST, 0, n, n % 2 == 0));           // then part of the next
            assertEquals(1, drain(ch).size());
            assertTrue(errors.causes.isEmpty(), "a partial frame is no error while the stream is open");
            assertFalse(ch.finishAndReleaseAll());
            assertEquals(ErrorCode.PROTOCOL_ERROR, errors.onlyErrorCode(), "closed after " + n + " bytes of a frame");
        }
    }

    @Test
    void closeBetweenFramesIsClean() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(chunk(ALL, 0, ALL.length, false));
        assertVectorFrames(ch, "before close");
        ch.close();
        assertTrue(errors.causes.isEmpty());

        EmbeddedChannel idle = channel();
        assertFalse(idle.finishAndReleaseAll());
        assertTrue(errors.causes.isEmpty());
    }

    @Test
    void frameExceptionIsFoundInTheCauseChain() {
        FrameException e = new FrameException(ErrorCode.PROTOCOL_ERROR, "x");
        assertEquals(e, FrameDecoderHandler.frameException(e));
        assertEquals(e, FrameDecoderHandler.frameException(new RuntimeException(new IllegalStateException(e))));
        assertEquals(null, FrameDecoderHandler.frameException(new RuntimeException("other")));
        assertEquals(null, FrameDecoderHandler.frameException(null));
    }
}
