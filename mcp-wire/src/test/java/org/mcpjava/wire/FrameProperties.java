package org.mcpjava.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property tests for the frame codec: every legal frame survives encode -> decode field for field
 * and re-encodes to the same bytes; any byte string either yields frames or a {@link FrameException},
 * never another exception, and never leaks a buffer.
 *
 * <p>Seeds are fixed so that a build is reproducible; change a seed locally to explore further.
 */
class FrameProperties {
    private static final long MAX_U32 = 0xFFFF_FFFFL;
    private static final int MAX_PAYLOAD = 8 * 1024;

    private final FrameDecoder decoder = new FrameDecoder();

    // ------------------------------------------------------------------ model

    /** A metadata entry: key, exact value bytes, and the FrameWriter call that produces it. */
    record Entry(int key, byte[] value, String how, Consumer<FrameWriter> write) {
        @Override
        public String toString() {
            return how;
        }
    }

    /** A legal frame as fields. */
    record FrameModel(FrameType type, int flags, int codec, int opcode, long streamId, List<Entry> entries, byte[] payload) {
        int metadataLength() {
            return entries.stream().mapToInt(e -> 3 + e.value().length).sum();
        }

        /** The wire bytes, computed without FrameWriter. */
        byte[] wire() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(new byte[] {0x4D, 0x43, 0x01, (byte) type.wire(), (byte) flags, (byte) codec,
                    (byte) (opcode >>> 8), (byte) opcode});
            out.writeBytes(be32(streamId));
            out.write(metadataLength() >>> 8);
            out.write(metadataLength());
            out.writeBytes(be32(payload.length));
            for (Entry e : entries) {
                out.write(e.key());
                out.write(e.value().length >>> 8);
                out.write(e.value().length);
                out.writeBytes(e.value());
            }
            out.writeBytes(payload);
            CRC32C crc = new CRC32C();
            crc.update(out.toByteArray());
            out.writeBytes(be32(crc.getValue()));
            return out.toByteArray();
        }

        ByteBuf encode(FrameWriter w) {
            w.begin(PooledByteBufAllocator.DEFAULT, payload.length, type, flags, codec, opcode, streamId);
            for (Entry e : entries) {
                e.write().accept(w);
            }
            return w.payload(payload).finish();
        }

        @Override
        public String toString() {
            return type + " flags=" + Flags.toString(flags) + " codec=" + codec + " opcode=" + opcode
                    + " stream=" + streamId + " entries=" + entries + " P=" + payload.length;
        }
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<FrameModel> frames() {
        return Arbitraries.of(FrameType.class).flatMap(type -> flags(type).flatMap(flags -> Combinators.combine(
                Arbitraries.integers().between(0, 255),
                opcode(type),
                streamId(type, flags),
                entries(type),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX_PAYLOAD))
                .as((codec, opcode, streamId, entries, payload) ->
                        new FrameModel(type, flags, codec, opcode, streamId, entries, payload))));
    }

    private static Arbitrary<Integer> flags(FrameType type) {
        if (type == FrameType.PUBLISH) {
            return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.of(true, false),
                    Arbitraries.of(true, false)).as(Flags::publish);
        }
        if (type == FrameType.PUBREL) {
            return Arbitraries.of(0, Flags.DUP);
        }
        return Arbitraries.just(0);
    }

    private static Arbitrary<Integer> opcode(FrameType type) {
        return type.hasOpcode() ? Arbitraries.integers().between(0, 0xFFFF) : Arbitraries.just(0);
    }

    private static Arbitrary<Long> streamId(FrameType type, int flags) {
        Arbitrary<Long> nonZero = Arbitraries.longs().between(1, MAX_U32);
        return switch (type.streamIdRule()) {
            case ZERO -> Arbitraries.just(0L);
            case NON_ZERO -> nonZero;
            case ANY -> Arbitraries.longs().between(0, MAX_U32);
            case ZERO_IFF_QOS0 -> Flags.qos(flags) == 0 ? Arbitraries.just(0L) : nonZero;
        };
    }

    /** Text with 1-, 2- and 3-byte UTF-8 characters (no surrogates, so UTF-8 is unambiguous). */
    private static Arbitrary<String> text(int minChars, int maxChars) {
        return Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
                .withChars('/', '+', '#', '$', '-', '_', ' ', '\u00e9', '\u00fc', '\u20ac', '\u4e2d', '\u00c3', '\u00a9')
                .ofMinLength(minChars).ofMaxLength(maxChars);
    }

    private static Arbitrary<byte[]> bytes(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
    }

    private static Arbitrary<List<Entry>> entries(FrameType type) {
        return entry().list().ofMaxSize(12).map(list -> withoutForbiddenRepeats(list, type));
    }

    /** Keeps the first of each key that may not repeat in {@code type}. */
    private static List<Entry> withoutForbiddenRepeats(List<Entry> entries, FrameType type) {
        BitSet seen = new BitSet(256);
        List<Entry> kept = new ArrayList<>();
        for (Entry e : entries) {
            boolean repeatable = e.key() == MetadataKey.SUBSCRIPTION.wire() || e.key() == MetadataKey.NAMED_HEADER
                    || (e.key() == MetadataKey.TOPIC.wire() && type == FrameType.UNSUBSCRIBE);
            if (repeatable || !seen.get(e.key())) {
                seen.set(e.key());
                kept.add(e);
            }
        }
        return kept;
    }

    private static Arbitrary<Entry> entry() {
        MetadataKey[] u32Keys = {MetadataKey.TIMEOUT_MS, MetadataKey.MESSAGE_EXPIRY_S, MetadataKey.KEEPALIVE_MS,
                MetadataKey.MAX_FRAME, MetadataKey.SESSION_EXPIRY_S, MetadataKey.LAST_STREAM_ID,
                MetadataKey.MAX_CONCURRENT_REQUESTS};
        MetadataKey[] u16Keys = {MetadataKey.ERROR_CODE, MetadataKey.RECEIVE_WINDOW};
        MetadataKey[] freeTextKeys = {MetadataKey.TRACEPARENT, MetadataKey.TRACESTATE, MetadataKey.ERROR_MESSAGE,
                MetadataKey.SERVER_NAME};
        MetadataKey[] opaqueKeys = {MetadataKey.CODECS, MetadataKey.AUTH};

        Arbitrary<Entry> u32 = Combinators.combine(Arbitraries.of(u32Keys), Arbitraries.longs().between(0, MAX_U32))
                .as((k, v) -> new Entry(k.wire(), be32(v), k + "=" + v, w -> w.u32(k, v)));
        Arbitrary<Entry> u16 = Combinators.combine(Arbitraries.of(u16Keys), Arbitraries.integers().between(0, 0xFFFF))
                .as((k, v) -> new Entry(k.wire(), new byte[] {(byte) (v >>> 8), (byte) (int) v}, k + "=" + v,
                        w -> w.u16(k, v)));
        Arbitrary<Entry> u8 = Arbitraries.integers().between(0, 1)
                .map(v -> new Entry(MetadataKey.SESSION_PRESENT.wire(), new byte[] {(byte) (int) v},
                        "SESSION_PRESENT=" + v, w -> w.u8(MetadataKey.SESSION_PRESENT, v)));
        Arbitrary<Entry> sessionId = bytes(16, 16)
                .map(v -> new Entry(MetadataKey.SESSION_ID.wire(), v, "SESSION_ID=" + hex(v),
                        w -> w.bytes(MetadataKey.SESSION_ID.wire(), v)));
        // TOPIC: at most 3 bytes per char, so <= 341 chars stays within 1024 bytes.
        Arbitrary<Entry> topic = text(1, 341).map(s -> utf8Entry(MetadataKey.TOPIC, s));
        Arbitrary<Entry> clientId = text(1, 85).map(s -> utf8Entry(MetadataKey.CLIENT_ID, s));
        Arbitrary<Entry> freeText = Combinators.combine(Arbitraries.of(freeTextKeys), text(0, 120))
                .as(FrameProperties::utf8Entry);
        Arbitrary<Entry> opaque = Combinators.combine(Arbitraries.of(opaqueKeys), bytes(0, 64), Arbitraries.of(true, false))
                .as((k, v, viaBuf) -> opaqueEntry(k.wire(), v, viaBuf));
        Arbitrary<Entry> subscription = Combinators.combine(Arbitraries.integers().between(0, 2), text(1, 120))
                .as((qos, filter) -> new Entry(MetadataKey.SUBSCRIPTION.wire(),
                        concat(new byte[] {(byte) (int) qos}, utf8(filter)), "SUBSCRIPTION=" + qos + " " + filter,
                        w -> w.subscription(qos, filter)));
        // Name: at most 3 bytes per char, so <= 85 chars stays within 255 bytes.
        Arbitrary<Entry> header = Combinators.combine(text(0, 85), text(0, 120))
                .as((name, value) -> {
                    byte[] n = utf8(name);
                    return new Entry(MetadataKey.NAMED_HEADER, concat(new byte[] {(byte) n.length}, n, utf8(value)),
                            "HEADER " + name + "=" + value, w -> w.header(name, value));
                });
        Arbitrary<Entry> application = Combinators.combine(Arbitraries.integers().between(0x80, 0xFE), bytes(0, 64),
                Arbitraries.of(true, false)).as(FrameProperties::opaqueEntry);
        Arbitrary<Entry> unknownDefined = Combinators.combine(
                Arbitraries.integers().between(0x01, 0x7F).filter(k -> MetadataKey.fromWire(k) == null),
                bytes(0, 32)).as((k, v) -> opaqueEntry(k, v, false));

        return Arbitraries.oneOf(u32, u16, u8, sessionId, topic, clientId, freeText, opaque, subscription,
                header, header, application, application, unknownDefined);
    }

    private static Entry utf8Entry(MetadataKey k, String s) {
        return new Entry(k.wire(), utf8(s), k + "=\"" + s + "\"", w -> w.utf8(k, s));
    }

    private static Entry opaqueEntry(int key, byte[] v, boolean viaByteBuf) {
        return new Entry(key, v, String.format("0x%02x=%s", key, hex(v)), viaByteBuf
                ? w -> {
                    ByteBuf b = Unpooled.wrappedBuffer(v);
                    try {
                        w.bytes(key, b);
                    } finally {
                        b.release();
                    }
                }
                : w -> w.bytes(key, v));
    }

    // ------------------------------------------------------------------ properties on legal frames

    @Property(tries = 1000, seed = "20240611")
    void encodeDecodeIsIdentityForEveryField(@ForAll("frames") FrameModel m) {
        FrameWriter writer = new FrameWriter();
        ByteBuf encoded = m.encode(writer);
        try {
            byte[] wire = m.wire();
            assertArrayEquals(wire, ByteBufUtil.getBytes(encoded), "encoding");
            ByteBuf f = decoder.decode(encoded);
            assertNotNull(f, "a whole legal frame decodes");
            assertFalse(encoded.isReadable(), "exactly the frame is consumed");
            try {
                assertEquals(m.type(), FrameHeader.type(f));
                assertEquals(m.flags(), FrameHeader.flags(f));
                assertEquals(m.codec(), FrameHeader.codec(f));
                assertEquals(m.opcode(), FrameHeader.opcode(f));
                assertEquals(m.streamId(), FrameHeader.streamId(f));
                assertEquals(m.metadataLength(), FrameHeader.metadataLength(f));
                assertEquals(m.payload().length, FrameHeader.payloadLength(f));
                assertEquals(wire.length, FrameHeader.frameLength(f));
                assertArrayEquals(m.payload(), ByteBufUtil.getBytes(FrameHeader.payload(f)));
                assertEquals(crc(wire, wire.length - 4), FrameHeader.checksum(f));

                MetadataCursor c = new MetadataCursor().reset(f);
                for (Entry e : m.entries()) {
                    assertTrue(c.next(), () -> "missing " + e);
                    assertEquals(e.key(), c.key());
                    assertArrayEquals(e.value(), ByteBufUtil.getBytes(c.value()), () -> "value of " + e);
                    if (e.key() == MetadataKey.NAMED_HEADER) {
                        int n = e.value()[0] & 0xFF;
                        String name = new String(e.value(), 1, n, StandardCharsets.UTF_8);
                        assertEquals(name, c.headerName());
                        assertTrue(c.headerNameEquals(name));
                        assertArrayEquals(Arrays.copyOfRange(e.value(), 1 + n, e.value().length),
                                ByteBufUtil.getBytes(c.headerValue()));
                    }
                }
                assertFalse(c.next());

                ByteBuf again = reencode(writer, f);
                try {
                    assertArrayEquals(wire, ByteBufUtil.getBytes(again), "re-encoding is byte-identical");
                } finally {
                    again.release();
                }
            } finally {
                f.release();
            }
        } finally {
            assertTrue(encoded.release(), "no reference left behind");
        }
    }

    /** Writes a decoded frame back from its accessors: header fields, each entry as opaque bytes, the payload. */
    private static ByteBuf reencode(FrameWriter writer, ByteBuf f) {
        writer.begin(PooledByteBufAllocator.DEFAULT, FrameHeader.payloadLength(f), FrameHeader.type(f),
                FrameHeader.flags(f), FrameHeader.codec(f), FrameHeader.opcode(f), FrameHeader.streamId(f));
        MetadataCursor c = new MetadataCursor().reset(f);
        while (c.next()) {
            writer.bytes(c.key(), c.value());
        }
        return writer.payload(FrameHeader.payload(f)).finish();
    }

    @Property(tries = 500, seed = "20240612")
    void everyProperPrefixOfALegalFrameWaitsForMore(@ForAll("frames") FrameModel m,
                                                    @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double cut) {
        byte[] wire = m.wire();
        int n = (int) (cut * wire.length);
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(wire, 0, n);
        try {
            assertNull(decoder.decode(in));
            assertEquals(n, in.readableBytes());
            in.writeBytes(wire, n, wire.length - n);
            ByteBuf f = decoder.decode(in);
            assertNotNull(f);
            assertArrayEquals(wire, ByteBufUtil.getBytes(f));
            f.release();
        } finally {
            assertTrue(in.release());
        }
    }

    // ------------------------------------------------------------------ properties on arbitrary input

    @Property(tries = 2000, seed = "20240613")
    void arbitraryBytesYieldFramesOrFrameException(@ForAll @Size(max = 512) byte[] bytes) {
        decodeAll(decoder, bytes);
    }

    @Provide
    Arbitrary<byte[]> plausibleHeaders() {
        // Magic, version and a real type, then noise: gets past the first checks into the later ones.
        return Combinators.combine(Arbitraries.of(FrameType.class), bytes(0, 300))
                .as((type, rest) -> concat(new byte[] {0x4D, 0x43, 0x01, (byte) type.wire()}, rest));
    }

    @Property(tries = 2000, seed = "20240614")
    void plausibleHeadersWithNoiseYieldFramesOrFrameException(@ForAll("plausibleHeaders") byte[] bytes) {
        decodeAll(decoder, bytes);
        decodeAll(new FrameDecoder(FrameHeader.OVERHEAD + 64), bytes);
    }

    @Provide
    Arbitrary<byte[]> mutatedFrames() {
        // Legal frames (several back to back) with some bytes overwritten, the CRC optionally repaired so
        // that the corruption reaches the header and metadata checks instead of stopping at the checksum.
        Arbitrary<int[]> mutation = Arbitraries.integers().between(0, Integer.MAX_VALUE).withoutEdgeCases()
                .array(int[].class).ofSize(2);
        return Combinators.combine(frames().list().ofMinSize(1).ofMaxSize(3), mutation.list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.of(true, false), Arbitraries.integers().between(0, Integer.MAX_VALUE))
                .as((models, mutations, repairCrc, cutSeed) -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    for (FrameModel model : models) {
                        out.writeBytes(model.wire());
                    }
                    byte[] bytes = out.toByteArray();
                    int firstLength = models.get(0).wire().length;
                    int headerAndMetadata = FrameHeader.HEADER_LENGTH + models.get(0).metadataLength();
                    for (int[] mu : mutations) {
                        // Two in three mutations hit the header or metadata, where the structural checks are.
                        int region = mu[1] % 3 == 0 ? firstLength : headerAndMetadata;
                        bytes[mu[0] % region] = (byte) (mu[1] >>> 8);
                    }
                    if (repairCrc) {
                        // The first frame's declared length may have changed: repair the trailer where it now is.
                        long declared = FrameHeader.OVERHEAD + ((bytes[12] & 0xFF) << 8 | (bytes[13] & 0xFF))
                                + ((bytes[14] & 0xFFL) << 24 | (bytes[15] & 0xFF) << 16 | (bytes[16] & 0xFF) << 8 | (bytes[17] & 0xFF));
                        if (declared <= bytes.length) {
                            byte[] trailer = be32(crc(bytes, (int) declared - 4));
                            System.arraycopy(trailer, 0, bytes, (int) declared - 4, 4);
                        }
                    }
                    return Arrays.copyOf(bytes, bytes.length - cutSeed % Math.min(bytes.length, 8));
                });
    }

    @Property(tries = 1000, seed = "20240615")
    void mutatedFramesYieldFramesOrFrameException(@ForAll("mutatedFrames") byte[] bytes) {
        decodeAll(decoder, bytes);
    }

    /**
     * Feeds {@code bytes} to the decoder until it throws, waits or runs dry. Only FrameException may
     * escape the decoder (anything else fails the property); frames that come out are well-formed;
     * a failure consumes nothing; no reference is left behind.
     */
    private static void decodeAll(FrameDecoder decoder, byte[] bytes) {
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length + 1);
        in.writeByte(0).skipBytes(1); // a non-zero reader index
        in.writeBytes(bytes);
        try {
            while (true) {
                int before = in.readerIndex();
                ByteBuf f;
                try {
                    f = decoder.decode(in);
                } catch (FrameException e) {
                    assertNotNull(e.errorCode());
                    assertEquals(before, in.readerIndex(), "a failed decode consumes nothing");
                    break;
                }
                if (f == null) {
                    assertEquals(before, in.readerIndex(), "waiting consumes nothing");
                    try {
                        decoder.checkEndOfStream(in);
                        assertFalse(in.isReadable(), "end of stream is clean only between frames");
                    } catch (FrameException e) {
                        assertEquals(ErrorCode.PROTOCOL_ERROR, e.errorCode());
                    }
                    break;
                }
                try {
                    assertWellFormed(f, decoder);
                    assertEquals(before + f.readableBytes(), in.readerIndex(), "consumes exactly one frame");
                } finally {
                    f.release();
                }
            }
            assertEquals(1, in.refCnt(), "only the caller's reference remains");
        } finally {
            assertTrue(in.release(), "released to zero: nothing retained");
        }
    }

    private static void assertWellFormed(ByteBuf f, FrameDecoder decoder) {
        assertNotNull(FrameHeader.type(f));
        assertTrue(f.readableBytes() <= decoder.maxFrameLength());
        assertEquals(FrameHeader.frameLength(f), f.readableBytes());
        byte[] wire = ByteBufUtil.getBytes(f);
        assertEquals(crc(wire, wire.length - 4), FrameHeader.checksum(f));
        assertTrue(FrameHeader.type(f).isLegalStreamId(FrameHeader.streamId(f), FrameHeader.flags(f)));
        int walked = 0;
        MetadataCursor c = new MetadataCursor().reset(f);
        while (c.next()) {
            walked += 3 + c.valueLength();
            if (c.isNamedHeader()) {
                c.headerName();
                c.headerValue();
            }
        }
        assertEquals(FrameHeader.metadataLength(f), walked, "validated entries fill M exactly");
    }

    // ------------------------------------------------------------------ bytes

    static byte[] be32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static int crc(byte[] b, int length) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, length);
        return (int) crc.getValue();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
