package org.mcpjava.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every receiver rule of docs/protocol.md section 11, each violated on its own and checked for its
 * error code. Corrupt frames start as a good encoded frame; the targeted bytes are patched and,
 * unless the test is about the checksum, the CRC-32C trailer is recomputed so that the intended
 * check is the one that fails. Every rejection must leave the input untouched: nothing consumed,
 * nothing retained.
 */
class MalformedFrameTest {
    private static final int M_OFFSET = FrameHeader.METADATA_LENGTH_OFFSET;
    private static final int P_OFFSET = FrameHeader.PAYLOAD_LENGTH_OFFSET;
    /** Offset of the first metadata entry's key, length and value. */
    private static final int KEY0 = FrameHeader.HEADER_LENGTH;
    private static final int LEN0 = KEY0 + 1;
    private static final int VALUE0 = KEY0 + 3;

    private final FrameDecoder decoder = new FrameDecoder();

    // ------------------------------------------------------------------ building frames

    /** A legal frame encoded by FrameWriter. */
    static byte[] encode(FrameType type, int flags, long streamId, Consumer<FrameWriter> metadata, byte[] payload) {
        ByteBuf out = Unpooled.buffer();
        try {
            FrameWriter w = new FrameWriter().begin(out, type, flags, Codecs.RAW, 0, streamId);
            metadata.accept(w);
            return ByteBufUtil.getBytes(w.payload(payload).finish());
        } finally {
            out.release();
        }
    }

    /** REQUEST stream 1 op 0xFF01, TIMEOUT_MS 1000, payload "hi": the spec's vector 10.2 (M=7, P=2). */
    static byte[] goodRequest() {
        byte[] f = withOpcode(encode(FrameType.REQUEST, 0, 1, w -> w.u32(MetadataKey.TIMEOUT_MS, 1000), ascii("hi")), 0xFF01);
        assertArrayEquals(SpecVectorsTest.hex(SpecVectorsTest.REQUEST), f);
        return f;
    }

    /** A legal frame of {@code type} with no metadata and a 2-byte payload, stream id legal for it. */
    static byte[] goodFrame(FrameType type) {
        int flags = type == FrameType.PUBLISH ? Flags.publish(1, false, false) : 0;
        long streamId = type.streamIdRule() == FrameType.StreamIdRule.ZERO ? 0 : 7;
        return encode(type, flags, streamId, w -> { }, new byte[] {1, 2});
    }

    /**
     * A REQUEST whose only metadata entry has key {@code key} and a {@code length}-byte value of
     * {@code fill}: encoded under an application key, then the key byte patched.
     */
    static byte[] withEntry(FrameType type, int flags, long streamId, int key, int length, int fill) {
        byte[] value = new byte[length];
        Arrays.fill(value, (byte) fill);
        byte[] f = encode(type, flags, streamId, w -> w.bytes(0x80, value), ascii("p"));
        return fixCrc(patch(f, KEY0, key));
    }

    static byte[] withEntry(int key, int length) {
        return withEntry(FrameType.REQUEST, 0, 1, key, length, 'a');
    }

    private static byte[] withOpcode(byte[] f, int opcode) {
        return fixCrc(patch(f, FrameHeader.OPCODE_OFFSET, opcode >>> 8, opcode & 0xFF));
    }

    /** A copy of {@code f} with {@code values} written from {@code offset}. */
    static byte[] patch(byte[] f, int offset, int... values) {
        byte[] copy = f.clone();
        for (int i = 0; i < values.length; i++) {
            copy[offset + i] = (byte) values[i];
        }
        return copy;
    }

    static byte[] patchU16(byte[] f, int offset, int v) {
        return patch(f, offset, v >>> 8, v & 0xFF);
    }

    static byte[] patchU32(byte[] f, int offset, long v) {
        return patch(f, offset, (int) (v >>> 24) & 0xFF, (int) (v >>> 16) & 0xFF, (int) (v >>> 8) & 0xFF, (int) v & 0xFF);
    }

    /** Recomputes the trailer over every byte before it, so only the targeted corruption remains. */
    static byte[] fixCrc(byte[] f) {
        CRC32C crc = new CRC32C();
        crc.update(f, 0, f.length - 4);
        return patchU32(f, f.length - 4, crc.getValue());
    }

    static byte[] flipBit(byte[] f, int bit) {
        byte[] copy = f.clone();
        copy[bit / 8] ^= (byte) (1 << (bit % 8));
        return copy;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ assertions

    /** Copies {@code bytes} into a pooled direct buffer after a consumed prefix, so indices are not 0-based. */
    private static ByteBuf input(byte[] bytes) {
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length + 5);
        in.writeBytes(new byte[] {9, 9, 9, 9, 9}).skipBytes(5);
        return in.writeBytes(bytes);
    }

    static FrameException assertRejected(FrameDecoder decoder, byte[] bytes, ErrorCode expected) {
        ByteBuf in = input(bytes);
        try {
            int readerIndex = in.readerIndex();
            FrameException e = assertThrows(FrameException.class, () -> {
                ByteBuf f = decoder.decode(in);
                if (f != null) {
                    f.release();
                }
            }, () -> "expected " + expected + " for " + ByteBufUtil.hexDump(bytes));
            assertEquals(expected, e.errorCode(), e::getMessage);
            assertEquals(readerIndex, in.readerIndex(), "a failed decode consumes nothing");
            assertEquals(bytes.length, in.readableBytes(), "a failed decode consumes nothing");
            assertArrayEquals(bytes, ByteBufUtil.getBytes(in), "a failed decode changes nothing");
            assertEquals(1, in.refCnt(), "a failed decode retains nothing");
            // Rejection is stable: asking again gives the same answer.
            assertEquals(expected, assertThrows(FrameException.class, () -> decoder.decode(in)).errorCode());
            return e;
        } finally {
            assertTrue(in.release(), "input freed by its single release");
        }
    }

    private FrameException assertRejected(byte[] bytes, ErrorCode expected) {
        return assertRejected(decoder, bytes, expected);
    }

    private void assertAccepted(byte[] bytes) {
        ByteBuf in = input(bytes);
        try {
            ByteBuf f = assertDoesNotThrow(() -> decoder.decode(in), () -> ByteBufUtil.hexDump(bytes));
            assertNotNull(f, "complete frame decodes");
            try {
                assertArrayEquals(bytes, ByteBufUtil.getBytes(f));
            } finally {
                f.release();
            }
            assertFalse(in.isReadable());
        } finally {
            in.release();
        }
    }

    /** The decoder needs more bytes: returns null and consumes nothing. */
    private void assertIncomplete(FrameDecoder d, byte[] bytes) {
        ByteBuf in = input(bytes);
        try {
            int readerIndex = in.readerIndex();
            assertNull(d.decode(in), () -> "incomplete: " + ByteBufUtil.hexDump(bytes));
            assertEquals(readerIndex, in.readerIndex());
            assertEquals(1, in.refCnt());
        } finally {
            in.release();
        }
    }

    // ------------------------------------------------------------------ magic, version, type

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void badMagicInAWholeFrameIsProtocolError(int offset) {
        byte[] f = goodRequest();
        assertRejected(fixCrc(patch(f, offset, f[offset] ^ 0x01)), ErrorCode.PROTOCOL_ERROR);
        assertRejected(fixCrc(patch(f, offset, 0)), ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void badMagicIsDetectedFromTheFirstBytes() {
        assertRejected(ascii("GE"), ErrorCode.PROTOCOL_ERROR);               // an HTTP client
        assertRejected(ascii("GET / HTTP/1.1\r\n"), ErrorCode.PROTOCOL_ERROR); // 16 bytes, still < 18
        assertRejected(new byte[] {0x16, 0x03}, ErrorCode.PROTOCOL_ERROR);     // a TLS ClientHello
        assertRejected(new byte[] {0x4D, 0x44}, ErrorCode.PROTOCOL_ERROR);     // second byte wrong
        assertRejected(new byte[] {0x43, 0x4D}, ErrorCode.PROTOCOL_ERROR);     // little-endian magic
        assertRejected(new byte[] {0x16}, ErrorCode.PROTOCOL_ERROR);           // first byte is already wrong
        assertIncomplete(decoder, new byte[] {0x4D});
        assertIncomplete(decoder, new byte[0]);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 0x10, 0xFF})
    void otherVersionIsUnsupportedVersion(int version) {
        byte[] f = fixCrc(patch(goodRequest(), FrameHeader.VERSION_OFFSET, version));
        assertRejected(f, ErrorCode.UNSUPPORTED_VERSION);
        assertRejected(Arrays.copyOf(f, 3), ErrorCode.UNSUPPORTED_VERSION); // detected as soon as it arrives
        assertRejected(Arrays.copyOf(f, 17), ErrorCode.UNSUPPORTED_VERSION);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x06, 0x0F, 0x15, 0x1F, 0x26, 0x27, 0x2C, 0x30, 0x7F, 0x80, 0xFF})
    void unknownTypeIsProtocolError(int type) {
        byte[] f = fixCrc(patch(goodFrame(FrameType.PING), FrameHeader.TYPE_OFFSET, type));
        assertRejected(f, ErrorCode.PROTOCOL_ERROR);
        assertRejected(Arrays.copyOf(f, 4), ErrorCode.PROTOCOL_ERROR);
    }

    // ------------------------------------------------------------------ flags

    @ParameterizedTest
    @ValueSource(ints = {0x10, 0x20, 0x40, 0x80, 0xF0})
    void reservedFlagBitsAreProtocolError(int reserved) {
        byte[] publish = goodFrame(FrameType.PUBLISH); // QoS 1, packet id 7
        byte[] f = fixCrc(patch(publish, FrameHeader.FLAGS_OFFSET, 0x01 | reserved));
        assertRejected(f, ErrorCode.PROTOCOL_ERROR);
        assertRejected(Arrays.copyOf(f, 5), ErrorCode.PROTOCOL_ERROR);
        assertRejected(fixCrc(patch(goodFrame(FrameType.PUBREL), FrameHeader.FLAGS_OFFSET, Flags.DUP | reserved)),
                ErrorCode.PROTOCOL_ERROR);
        assertRejected(fixCrc(patch(goodFrame(FrameType.PING), FrameHeader.FLAGS_OFFSET, reserved)),
                ErrorCode.PROTOCOL_ERROR);
    }

    static Stream<Arguments> flagsNotAllowedForType() {
        return Arrays.stream(FrameType.values())
                .filter(t -> t != FrameType.PUBLISH)
                .flatMap(t -> Stream.of(Flags.QOS_MASK & 1, Flags.QOS_MASK & 2, Flags.DUP, Flags.RETAIN)
                        .filter(flag -> !(t == FrameType.PUBREL && flag == Flags.DUP))
                        .map(flag -> Arguments.of(t, flag)));
    }

    @ParameterizedTest
    @MethodSource("flagsNotAllowedForType")
    void flagsNotDefinedForTheTypeAreProtocolError(FrameType type, int flag) {
        byte[] f = fixCrc(patch(goodFrame(type), FrameHeader.FLAGS_OFFSET, flag));
        assertRejected(f, ErrorCode.PROTOCOL_ERROR);
        assertRejected(Arrays.copyOf(f, 5), ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void qos3IsProtocolError() {
        for (int flags : new int[] {0x03, 0x03 | Flags.DUP, 0x03 | Flags.RETAIN, 0x0F}) {
            byte[] f = fixCrc(patch(goodFrame(FrameType.PUBLISH), FrameHeader.FLAGS_OFFSET, flags));
            assertRejected(f, ErrorCode.PROTOCOL_ERROR);
            assertRejected(Arrays.copyOf(f, 5), ErrorCode.PROTOCOL_ERROR);
        }
    }

    // ------------------------------------------------------------------ stream ids

    static Stream<Arguments> illegalStreamIds() {
        return Stream.of(
                Arguments.of(FrameType.REQUEST, 0, 0L),
                Arguments.of(FrameType.RESPONSE, 0, 0L),
                Arguments.of(FrameType.CANCEL, 0, 0L),
                Arguments.of(FrameType.PUBACK, 0, 0L),
                Arguments.of(FrameType.PUBREC, 0, 0L),
                Arguments.of(FrameType.PUBREL, Flags.DUP, 0L),
                Arguments.of(FrameType.PUBCOMP, 0, 0L),
                Arguments.of(FrameType.NACK, 0, 0L),
                Arguments.of(FrameType.SUBSCRIBE, 0, 0L),
                Arguments.of(FrameType.SUBACK, 0, 0L),
                Arguments.of(FrameType.UNSUBSCRIBE, 0, 0L),
                Arguments.of(FrameType.UNSUBACK, 0, 0L),
                Arguments.of(FrameType.HELLO, 0, 1L),
                Arguments.of(FrameType.WELCOME, 0, 2L),
                Arguments.of(FrameType.PING, 0, 5L),
                Arguments.of(FrameType.PONG, 0, 0x8000_0000L),
                Arguments.of(FrameType.GOAWAY, 0, 0xFFFF_FFFFL),
                Arguments.of(FrameType.NOTIFY, 0, 1L),
                Arguments.of(FrameType.PUBLISH, Flags.publish(1, false, false), 0L),
                Arguments.of(FrameType.PUBLISH, Flags.publish(2, true, true), 0L),
                Arguments.of(FrameType.PUBLISH, Flags.publish(0, false, false), 3L),
                Arguments.of(FrameType.PUBLISH, Flags.publish(0, true, true), 0xFFFF_FFFFL));
    }

    @ParameterizedTest
    @MethodSource("illegalStreamIds")
    void streamIdRuleViolationsAreProtocolError(FrameType type, int flags, long streamId) {
        byte[] good = goodFrame(type);
        byte[] f = fixCrc(patchU32(patch(good, FrameHeader.FLAGS_OFFSET, flags), FrameHeader.STREAM_ID_OFFSET, streamId));
        assertRejected(f, ErrorCode.PROTOCOL_ERROR);
        assertRejected(Arrays.copyOf(f, 12), ErrorCode.PROTOCOL_ERROR); // as soon as the stream id is in
        assertRejected(Arrays.copyOf(f, 18), ErrorCode.PROTOCOL_ERROR); // header only
    }

    @Test
    void errorMayUseStreamZeroOrAnyRequestStream() {
        byte[] good = goodFrame(FrameType.ERROR);
        for (long id : new long[] {0, 1, 2, 0xFFFF_FFFFL}) {
            assertAccepted(fixCrc(patchU32(good, FrameHeader.STREAM_ID_OFFSET, id)));
        }
    }

    // ------------------------------------------------------------------ frame size

    /** The first 18 bytes of a good PING (stream 0) with M and P replaced. */
    private static byte[] pingHeader(int m, long p) {
        byte[] h = Arrays.copyOf(goodFrame(FrameType.PING), FrameHeader.HEADER_LENGTH);
        return patchU32(patchU16(h, M_OFFSET, m), P_OFFSET, p);
    }

    @Test
    void oversizeIsRejectedFromTheHeaderAloneBeforeAnyBodyByte() {
        FrameDecoder small = new FrameDecoder(64);
        assertRejected(small, pingHeader(0, 64 - 22 + 1), ErrorCode.FRAME_TOO_LARGE);
        assertRejected(small, pingHeader(64 - 22 + 1, 0), ErrorCode.FRAME_TOO_LARGE);
        assertRejected(small, pingHeader(20, 23), ErrorCode.FRAME_TOO_LARGE);
        assertIncomplete(small, pingHeader(0, 64 - 22));       // exactly the maximum: wait for the body
        assertIncomplete(small, pingHeader(20, 22));

        int max = FrameHeader.DEFAULT_MAX_FRAME;
        assertRejected(pingHeader(0, max - 22 + 1), ErrorCode.FRAME_TOO_LARGE);
        assertRejected(pingHeader(0xFFFF, max - 22 - 0xFFFF + 1), ErrorCode.FRAME_TOO_LARGE);
        assertIncomplete(decoder, pingHeader(0, max - 22));
    }

    @Test
    void payloadLength0xFFFFFFFFIsFrameTooLargeWithoutOverflow() {
        // 22 + M + P exceeds 2^32 here: a 32-bit sum would wrap to a small, acceptable number.
        assertRejected(pingHeader(0, 0xFFFF_FFFFL), ErrorCode.FRAME_TOO_LARGE);
        assertRejected(pingHeader(0xFFFF, 0xFFFF_FFFFL), ErrorCode.FRAME_TOO_LARGE);
        assertRejected(pingHeader(0xFFFF, 0xFFFF_FFFFL - 0xFFFF - 21), ErrorCode.FRAME_TOO_LARGE); // sums to 2^32
        assertRejected(pingHeader(0, 0x8000_0000L), ErrorCode.FRAME_TOO_LARGE);
        assertRejected(new FrameDecoder(Integer.MAX_VALUE), pingHeader(0xFFFF, 0xFFFF_FFFFL), ErrorCode.FRAME_TOO_LARGE);
        // Also with some body bytes present: still rejected, still nothing consumed.
        byte[] withBody = Arrays.copyOf(pingHeader(0, 0xFFFF_FFFFL), 18 + 100);
        assertRejected(withBody, ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void decoderRefusesAMaximumBelowTheSmallestFrame() {
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(21));
        assertEquals(22, new FrameDecoder(22).maxFrameLength());
        assertEquals(FrameHeader.DEFAULT_MAX_FRAME, new FrameDecoder().maxFrameLength());
    }

    // ------------------------------------------------------------------ metadata layout

    @ParameterizedTest
    @ValueSource(ints = {5, 6, 7, 8, 0x0100, 0xFFFF})
    void metadataEntryRunningPastMIsProtocolError(int valueLength) {
        // TIMEOUT_MS entry claims more bytes than M=7 leaves it (4).
        assertRejected(fixCrc(patchU16(goodRequest(), LEN0, valueLength)), ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void metadataEntryRunningPastMIntoThePayloadIsProtocolError() {
        // M shrinks to 6: the entry's 4-byte value would need the first payload byte.
        byte[] f = goodRequest();
        assertRejected(fixCrc(patchU32(patchU16(f, M_OFFSET, 6), P_OFFSET, 3)), ErrorCode.PROTOCOL_ERROR);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void metadataEntryHeaderShorterThan3BytesAtEndOfMIsProtocolError(int trailing) {
        // Move the first `trailing` payload bytes into M: after the 7-byte entry, M holds a 1- or 2-byte stub.
        byte[] f = goodRequest();
        assertRejected(fixCrc(patchU32(patchU16(f, M_OFFSET, 7 + trailing), P_OFFSET, 2 - trailing)),
                ErrorCode.PROTOCOL_ERROR);
        // The same with M of 1 and 2 bytes in total.
        byte[] ping = encode(FrameType.PING, 0, 0, w -> { }, new byte[] {0x04, 0x00, 0x00});
        assertRejected(fixCrc(patchU32(patchU16(ping, M_OFFSET, trailing), P_OFFSET, 3 - trailing)),
                ErrorCode.PROTOCOL_ERROR);
    }

    // ------------------------------------------------------------------ repetition

    /** Defined keys that may not repeat, with a legal width for each. */
    static Stream<Arguments> nonRepeatableKeys() {
        return Stream.of(
                Arguments.of(MetadataKey.TOPIC.wire(), 3),
                Arguments.of(MetadataKey.TRACEPARENT.wire(), 3),
                Arguments.of(MetadataKey.TRACESTATE.wire(), 0),
                Arguments.of(MetadataKey.TIMEOUT_MS.wire(), 4),
                Arguments.of(MetadataKey.ERROR_CODE.wire(), 2),
                Arguments.of(MetadataKey.ERROR_MESSAGE.wire(), 5),
                Arguments.of(MetadataKey.MESSAGE_EXPIRY_S.wire(), 4),
                Arguments.of(MetadataKey.CLIENT_ID.wire(), 3),
                Arguments.of(MetadataKey.KEEPALIVE_MS.wire(), 4),
                Arguments.of(MetadataKey.MAX_FRAME.wire(), 4),
                Arguments.of(MetadataKey.RECEIVE_WINDOW.wire(), 2),
                Arguments.of(MetadataKey.CODECS.wire(), 3),
                Arguments.of(MetadataKey.AUTH.wire(), 8),
                Arguments.of(MetadataKey.SESSION_ID.wire(), 16),
                Arguments.of(MetadataKey.SESSION_EXPIRY_S.wire(), 4),
                Arguments.of(MetadataKey.SESSION_PRESENT.wire(), 1),
                Arguments.of(MetadataKey.SERVER_NAME.wire(), 3),
                Arguments.of(MetadataKey.LAST_STREAM_ID.wire(), 4),
                Arguments.of(MetadataKey.MAX_CONCURRENT_REQUESTS.wire(), 4),
                Arguments.of(0x80, 1),
                Arguments.of(0xA0, 0),
                Arguments.of(0xFE, 2));
    }

    /** A frame with three entries: {@code key}, an unrelated one, {@code key} again (encoded under app keys, then patched). */
    private static byte[] twice(FrameType type, int flags, long streamId, int key, int width) {
        byte[] f = encode(type, flags, streamId, w -> w.bytes(0x80, new byte[width])
                .bytes(0x81, new byte[] {1})
                .bytes(0x82, new byte[width]), new byte[0]);
        int second = VALUE0 + width + 4;
        return fixCrc(patch(patch(f, KEY0, key), second, key));
    }

    @ParameterizedTest
    @MethodSource("nonRepeatableKeys")
    void repeatedNonRepeatableKeyIsProtocolError(int key, int width) {
        assertRejected(twice(FrameType.REQUEST, 0, 1, key, width), ErrorCode.PROTOCOL_ERROR);
        assertRejected(twice(FrameType.SUBSCRIBE, 0, 1, key, width), ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void topicRepeatsOnlyInUnsubscribe() {
        assertAccepted(twice(FrameType.UNSUBSCRIBE, 0, 1, MetadataKey.TOPIC.wire(), 3));
        assertRejected(twice(FrameType.PUBLISH, Flags.publish(1, false, false), 1, MetadataKey.TOPIC.wire(), 3),
                ErrorCode.PROTOCOL_ERROR);
        assertRejected(twice(FrameType.SUBSCRIBE, 0, 1, MetadataKey.TOPIC.wire(), 3), ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void subscriptionsAndNamedHeadersMayRepeat() {
        assertAccepted(twice(FrameType.SUBSCRIBE, 0, 1, MetadataKey.SUBSCRIPTION.wire(), 3));
        assertAccepted(twice(FrameType.REQUEST, 0, 1, MetadataKey.NAMED_HEADER, 3));
        assertAccepted(encode(FrameType.REQUEST, 0, 1, w -> w.header("h", "1").header("h", "2").header("h", "3"),
                new byte[0]));
    }

    // ------------------------------------------------------------------ value widths

    /** Fixed-width keys and their widths, from docs/protocol.md section 11. */
    static Stream<Arguments> fixedWidthKeys() {
        return Stream.of(
                Arguments.of(MetadataKey.TIMEOUT_MS, 4),
                Arguments.of(MetadataKey.ERROR_CODE, 2),
                Arguments.of(MetadataKey.MESSAGE_EXPIRY_S, 4),
                Arguments.of(MetadataKey.KEEPALIVE_MS, 4),
                Arguments.of(MetadataKey.MAX_FRAME, 4),
                Arguments.of(MetadataKey.RECEIVE_WINDOW, 2),
                Arguments.of(MetadataKey.SESSION_ID, 16),
                Arguments.of(MetadataKey.SESSION_EXPIRY_S, 4),
                Arguments.of(MetadataKey.SESSION_PRESENT, 1),
                Arguments.of(MetadataKey.LAST_STREAM_ID, 4),
                Arguments.of(MetadataKey.MAX_CONCURRENT_REQUESTS, 4));
    }

    @ParameterizedTest
    @MethodSource("fixedWidthKeys")
    void wrongFixedWidthIsProtocolError(MetadataKey key, int width) {
        assertAccepted(withEntry(key.wire(), width));
        assertRejected(withEntry(key.wire(), width - 1), ErrorCode.PROTOCOL_ERROR);
        assertRejected(withEntry(key.wire(), width + 1), ErrorCode.PROTOCOL_ERROR);
        assertRejected(withEntry(key.wire(), 0), ErrorCode.PROTOCOL_ERROR);
        assertRejected(withEntry(key.wire(), 8), ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void timeoutOf3BytesIsProtocolError() {
        byte[] f = goodRequest(); // TIMEOUT_MS 00 00 03 e8, then "hi"
        // Entry length 3 and M 6: a well-formed layout whose only fault is the width.
        byte[] threeBytes = patchU32(patchU16(patchU16(f, LEN0, 3), M_OFFSET, 6), P_OFFSET, 3);
        assertRejected(fixCrc(threeBytes), ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void topicMustBe1To1024Bytes() {
        int topic = MetadataKey.TOPIC.wire();
        int qos1 = Flags.publish(1, false, false);
        assertRejected(withEntry(FrameType.PUBLISH, qos1, 7, topic, 0, 'a'), ErrorCode.PROTOCOL_ERROR);
        assertRejected(withEntry(FrameType.PUBLISH, qos1, 7, topic, 1025, 'a'), ErrorCode.PROTOCOL_ERROR);
        assertRejected(withEntry(FrameType.UNSUBSCRIBE, 0, 7, topic, 0, 'a'), ErrorCode.PROTOCOL_ERROR);
        assertRejected(withEntry(FrameType.UNSUBSCRIBE, 0, 7, topic, 1025, 'a'), ErrorCode.PROTOCOL_ERROR);
        assertAccepted(withEntry(FrameType.PUBLISH, qos1, 7, topic, 1, 'a'));
        assertAccepted(withEntry(FrameType.PUBLISH, qos1, 7, topic, 1024, 'a'));
    }

    @Test
    void clientIdMustBe1To256Bytes() {
        int clientId = MetadataKey.CLIENT_ID.wire();
        assertRejected(withEntry(FrameType.HELLO, 0, 0, clientId, 0, 'c'), ErrorCode.PROTOCOL_ERROR);
        assertRejected(withEntry(FrameType.HELLO, 0, 0, clientId, 257, 'c'), ErrorCode.PROTOCOL_ERROR);
        assertAccepted(withEntry(FrameType.HELLO, 0, 0, clientId, 1, 'c'));
        assertAccepted(withEntry(FrameType.HELLO, 0, 0, clientId, 256, 'c'));
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 0x7F, 0x80, 0xFF})
    void subscriptionWithQosAbove2IsProtocolError(int qos) {
        byte[] f = encode(FrameType.SUBSCRIBE, 0, 1, w -> w.subscription(2, "a/#"), new byte[0]);
        assertEquals(2, f[VALUE0]);
        assertRejected(fixCrc(patch(f, VALUE0, qos)), ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void subscriptionNeedsAQosByteAndAFilter() {
        int sub = MetadataKey.SUBSCRIPTION.wire();
        assertRejected(withEntry(FrameType.SUBSCRIBE, 0, 1, sub, 0, 0), ErrorCode.PROTOCOL_ERROR);
        assertRejected(withEntry(FrameType.SUBSCRIBE, 0, 1, sub, 1, 0), ErrorCode.PROTOCOL_ERROR);
        for (int qos = 0; qos <= 2; qos++) {
            assertAccepted(withEntry(FrameType.SUBSCRIBE, 0, 1, sub, 2, qos));
        }
    }

    @Test
    void namedHeaderWhoseNameLengthOverflowsItsValueIsProtocolError() {
        byte[] f = encode(FrameType.REQUEST, 0, 1, w -> w.header("abc", "de"), new byte[0]);
        assertEquals(6, f[LEN0 + 1]); // value = 03 'a' 'b' 'c' 'd' 'e'
        assertEquals(3, f[VALUE0]);
        for (int nameLength : new int[] {6, 7, 0x80, 0xFF}) {
            assertRejected(fixCrc(patch(f, VALUE0, nameLength)), ErrorCode.PROTOCOL_ERROR);
        }
        assertAccepted(fixCrc(patch(f, VALUE0, 5))); // name "abcde", empty value: fits exactly
        assertAccepted(fixCrc(patch(f, VALUE0, 0))); // empty name
        assertRejected(withEntry(MetadataKey.NAMED_HEADER, 0), ErrorCode.PROTOCOL_ERROR); // no room for N at all
        assertAccepted(withEntry(FrameType.REQUEST, 0, 1, MetadataKey.NAMED_HEADER, 1, 0)); // N = 0 only
    }

    @Test
    void namedHeaderOverflowIsCaughtInALaterEntryToo() {
        byte[] f = encode(FrameType.REQUEST, 0, 1, w -> w.u32(MetadataKey.TIMEOUT_MS, 1).header("ab", "c"), new byte[0]);
        int nameLengthIndex = VALUE0 + 4 + 3;
        assertEquals(2, f[nameLengthIndex]);
        assertRejected(fixCrc(patch(f, nameLengthIndex, 4)), ErrorCode.PROTOCOL_ERROR);
    }

    // ------------------------------------------------------------------ checksum

    @Test
    void flippedPayloadBitIsChecksumMismatch() {
        byte[] f = goodRequest();
        int payloadIndex = 18 + 7;
        for (int bit = payloadIndex * 8; bit < (payloadIndex + 2) * 8; bit++) {
            assertRejected(flipBit(f, bit), ErrorCode.CHECKSUM_MISMATCH);
        }
    }

    @Test
    void flippedTrailerBitIsChecksumMismatch() {
        byte[] f = goodRequest();
        for (int bit = (f.length - 4) * 8; bit < f.length * 8; bit++) {
            assertRejected(flipBit(f, bit), ErrorCode.CHECKSUM_MISMATCH);
        }
    }

    @Test
    void flippedMetadataValueOrCodecOrOpcodeBitIsChecksumMismatch() {
        byte[] f = goodRequest();
        assertRejected(flipBit(f, VALUE0 * 8 + 3), ErrorCode.CHECKSUM_MISMATCH);
        assertRejected(flipBit(f, FrameHeader.CODEC_OFFSET * 8), ErrorCode.CHECKSUM_MISMATCH);
        assertRejected(flipBit(f, FrameHeader.OPCODE_OFFSET * 8 + 7), ErrorCode.CHECKSUM_MISMATCH);
    }

    @Test
    void checksumIsVerifiedForFramesWithoutPayloadOrMetadata() {
        byte[] f = encode(FrameType.PUBACK, 0, 7, w -> { }, new byte[0]);
        assertEquals(22, f.length);
        assertAccepted(f);
        assertRejected(flipBit(f, 21 * 8), ErrorCode.CHECKSUM_MISMATCH);
        assertRejected(patchU32(f, 18, 0), ErrorCode.CHECKSUM_MISMATCH);
    }

    @Test
    void everySingleBitFlipIsRejectedOrLeftIncomplete() {
        // A flipped bit must never yield a frame. It is rejected outright or, when it enlarges a
        // declared length, leaves the decoder waiting, and then the end of the stream rejects it.
        for (byte[] good : new byte[][] {goodRequest(), SpecVectorsTest.hex(SpecVectorsTest.HELLO),
                SpecVectorsTest.hex(SpecVectorsTest.PUBLISH)}) {
            for (int bit = 0; bit < good.length * 8; bit++) {
                byte[] bad = flipBit(good, bit);
                ByteBuf in = input(bad);
                try {
                    ByteBuf f = decoder.decode(in);
                    if (f != null) {
                        f.release();
                        fail("bit " + bit + " flipped still decoded: " + ByteBufUtil.hexDump(bad));
                    }
                    assertEquals(bad.length, in.readableBytes());
                    FrameException e = assertThrows(FrameException.class, () -> decoder.checkEndOfStream(in));
                    assertEquals(ErrorCode.PROTOCOL_ERROR, e.errorCode());
                } catch (FrameException expected) {
                    assertEquals(bad.length, in.readableBytes(), "nothing consumed");
                } finally {
                    assertTrue(in.release());
                }
            }
        }
    }

    // ------------------------------------------------------------------ truncation

    @Test
    void everyProperPrefixWaitsAndEndOfStreamCallsItTruncated() {
        byte[] f = goodRequest();
        for (int n = 1; n < f.length; n++) {
            byte[] prefix = Arrays.copyOf(f, n);
            assertIncomplete(decoder, prefix);
            ByteBuf in = input(prefix);
            try {
                FrameException e = assertThrows(FrameException.class, () -> decoder.checkEndOfStream(in));
                assertEquals(ErrorCode.PROTOCOL_ERROR, e.errorCode());
                assertEquals(n, in.readableBytes(), "checkEndOfStream consumes nothing");
            } finally {
                in.release();
            }
        }
    }

    @Test
    void endOfStreamBetweenFramesIsClean() {
        ByteBuf in = input(goodRequest());
        try {
            decoder.checkEndOfStream(Unpooled.EMPTY_BUFFER);
            ByteBuf f = decoder.decode(in);
            f.release();
            decoder.checkEndOfStream(in);
        } finally {
            in.release();
        }
    }

    @Test
    void truncatedSecondFrameAfterAGoodOne() {
        byte[] good = goodRequest();
        byte[] both = FrameRoundTripTest.concat(good, Arrays.copyOf(good, 20));
        ByteBuf in = input(both);
        try {
            ByteBuf f = decoder.decode(in);
            assertNotNull(f);
            f.release();
            assertNull(decoder.decode(in));
            assertEquals(20, in.readableBytes());
            assertEquals(ErrorCode.PROTOCOL_ERROR,
                    assertThrows(FrameException.class, () -> decoder.checkEndOfStream(in)).errorCode());
        } finally {
            in.release();
        }
    }

    // ------------------------------------------------------------------ failure leaves input intact

    @Test
    void failedDecodeAfterAGoodFrameConsumesNothingOfTheBadOneAndLeaksNothing() {
        byte[] good = goodRequest();
        byte[] bad = flipBit(good, (good.length - 1) * 8);
        ByteBuf in = input(FrameRoundTripTest.concat(good, bad));
        try {
            ByteBuf f = decoder.decode(in);
            assertNotNull(f);
            assertArrayEquals(good, ByteBufUtil.getBytes(f));
            f.release();
            int at = in.readerIndex();
            for (int i = 0; i < 3; i++) {
                assertEquals(ErrorCode.CHECKSUM_MISMATCH,
                        assertThrows(FrameException.class, () -> decoder.decode(in)).errorCode());
                assertEquals(at, in.readerIndex());
                assertEquals(bad.length, in.readableBytes());
            }
            assertEquals(1, in.refCnt(), "only the caller's reference remains");
        } finally {
            assertTrue(in.release());
        }
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"PROTOCOL_ERROR", "UNSUPPORTED_VERSION", "FRAME_TOO_LARGE",
            "CHECKSUM_MISMATCH"})
    void heapInputIsLeftIntactOnFailureToo(ErrorCode code) {
        byte[] bytes = switch (code) {
            case PROTOCOL_ERROR -> withEntry(MetadataKey.TIMEOUT_MS.wire(), 3);
            case UNSUPPORTED_VERSION -> fixCrc(patch(goodRequest(), 2, 9));
            case FRAME_TOO_LARGE -> pingHeader(0, 0xFFFF_FFFFL);
            default -> flipBit(goodRequest(), (18 + 7) * 8); // first payload bit
        };
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            assertEquals(code, assertThrows(FrameException.class, () -> decoder.decode(in)).errorCode());
            assertEquals(0, in.readerIndex());
            assertEquals(1, in.refCnt());
        } finally {
            in.release();
        }
    }

    // ------------------------------------------------------------------ documented leniency

    @Test
    void documentedLeniencyIsAccepted() {
        // docs/protocol.md section 11: these are not rejected.
        assertAccepted(withOpcode(goodFrame(FrameType.PING), 0x1234));             // opcode on a type without one
        assertAccepted(fixCrc(patch(encode(FrameType.PUBACK, 0, 7, w -> { }, new byte[0]),
                FrameHeader.CODEC_OFFSET, Codecs.JSON)));                            // codec with no payload
        assertAccepted(encode(FrameType.PUBLISH, Flags.publish(0, true, false), 0,
                w -> w.utf8(MetadataKey.TOPIC, "t"), new byte[0]));                // DUP on QoS 0
        assertAccepted(withEntry(0x08, 3));                                         // unknown defined-range key
        assertAccepted(withEntry(0x7F, 0));
        assertAccepted(withEntry(MetadataKey.TOPIC.wire(), 2));                     // "used in" is not a framing rule
        assertAccepted(withEntry(FrameType.PUBLISH, Flags.publish(1, false, false), 7,
                MetadataKey.TOPIC.wire(), 4, 0xFF));                               // not UTF-8: checked by a later layer
    }
}
