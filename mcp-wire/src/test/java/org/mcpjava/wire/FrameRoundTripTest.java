package org.mcpjava.wire;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Round trips FrameWriter -> FrameDecoder for every frame type with the metadata each type carries
 * (MCP-SPEC sections 4 and 5), asserting every header field, every metadata entry, the payload and
 * the checksum; several frames in one buffer; and the writer's refusal to produce illegal frames.
 *
 * <p>Expected bytes (metadata values, CRC) are computed here independently of the code under test:
 * big-endian by hand, UTF-8 by the JDK, CRC-32C by {@link java.util.zip.CRC32C}.
 */
class FrameRoundTripTest {
    private static final byte[] SESSION_ID = ByteBufUtil.decodeHexDump("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private final FrameWriter writer = new FrameWriter();
    private final FrameDecoder decoder = new FrameDecoder();

    // ------------------------------------------------------------------ model

    /** One metadata entry: its key, the exact value bytes it must produce, and how to write it. */
    record Entry(int key, byte[] value, String how, Consumer<FrameWriter> write) {
        @Override
        public String toString() {
            return how;
        }
    }

    /** A frame to write and what must come back. {@code typed} adds type-specific lookups. */
    record Sample(String name, FrameType type, int flags, int codec, int opcode, long streamId,
                  List<Entry> entries, byte[] payload, Consumer<ByteBuf> typed) {
        int metadataLength() {
            return entries.stream().mapToInt(e -> 3 + e.value().length).sum();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Entry u8(MetadataKey k, int v) {
        return new Entry(k.wire(), new byte[] {(byte) v}, k + "=u8 " + v, w -> w.u8(k, v));
    }

    static Entry u16(MetadataKey k, int v) {
        return new Entry(k.wire(), new byte[] {(byte) (v >>> 8), (byte) v}, k + "=u16 " + v, w -> w.u16(k, v));
    }

    static Entry u32(MetadataKey k, long v) {
        return new Entry(k.wire(), be32(v), k + "=u32 " + v, w -> w.u32(k, v));
    }

    static Entry utf8(MetadataKey k, String s) {
        return new Entry(k.wire(), utf8(s), k + "=\"" + s + "\"", w -> w.utf8(k, s));
    }

    static Entry utf8(int key, String s) {
        return new Entry(key, utf8(s), String.format("0x%02x=\"%s\"", key, s), w -> w.utf8(key, s));
    }

    static Entry bytes(int key, byte[] v) {
        return new Entry(key, v.clone(), String.format("0x%02x=[%d bytes]", key, v.length), w -> w.bytes(key, v));
    }

    /** Written through {@link FrameWriter#bytes(int, ByteBuf)}, which must copy and neither consume nor release. */
    static Entry bytesFromBuf(int key, byte[] v) {
        return new Entry(key, v.clone(), String.format("0x%02x=buf[%d bytes]", key, v.length), w -> {
            ByteBuf src = Unpooled.wrappedBuffer(v);
            try {
                w.bytes(key, src);
                assertEquals(v.length, src.readableBytes(), "writer must not consume the source buffer");
                assertEquals(1, src.refCnt(), "writer must not release the source buffer");
            } finally {
                src.release();
            }
        });
    }

    static Entry subscription(int qos, String filter) {
        return new Entry(MetadataKey.SUBSCRIPTION.wire(), concat(new byte[] {(byte) qos}, utf8(filter)),
                "SUBSCRIPTION=" + qos + " " + filter, w -> w.subscription(qos, filter));
    }

    static Entry header(String name, String value) {
        byte[] n = utf8(name);
        return new Entry(MetadataKey.NAMED_HEADER, concat(new byte[] {(byte) n.length}, n, utf8(value)),
                "HEADER " + name + "=" + value, w -> w.header(name, value));
    }

    // ------------------------------------------------------------------ one sample per frame type

    /**
     * The representative frame of each type. A switch expression over the enum: a new frame type
     * does not compile until it has a round-trip sample here.
     */
    static Sample sample(FrameType type) {
        return switch (type) {
            case HELLO -> new Sample("HELLO", type, 0, Codecs.RAW, 0, 0, List.of(
                    utf8(MetadataKey.CLIENT_ID, "gateway-7"),
                    bytes(MetadataKey.AUTH.wire(), utf8("Bearer abc.def.ghi")),
                    u32(MetadataKey.KEEPALIVE_MS, 30_000),
                    u32(MetadataKey.MAX_FRAME, 4 * 1024 * 1024),
                    u16(MetadataKey.RECEIVE_WINDOW, 65_535),
                    bytes(MetadataKey.CODECS.wire(), new byte[] {1, 3, 0, (byte) 0x80}),
                    bytesFromBuf(MetadataKey.SESSION_ID.wire(), SESSION_ID),
                    u32(MetadataKey.SESSION_EXPIRY_S, 0xFFFF_FFFFL),
                    u32(MetadataKey.MAX_CONCURRENT_REQUESTS, 128),
                    utf8(MetadataKey.TRACEPARENT, TRACEPARENT)),
                    new byte[0], f -> {
                        assertEquals("gateway-7", Metadata.string(f, MetadataKey.CLIENT_ID));
                        assertArrayEquals(utf8("Bearer abc.def.ghi"), Metadata.bytes(f, MetadataKey.AUTH.wire()));
                        assertEquals(30_000L, Metadata.number(f, MetadataKey.KEEPALIVE_MS, -1));
                        assertEquals(4L * 1024 * 1024, Metadata.number(f, MetadataKey.MAX_FRAME, -1));
                        assertEquals(65_535L, Metadata.number(f, MetadataKey.RECEIVE_WINDOW, -1));
                        assertArrayEquals(new byte[] {1, 3, 0, (byte) 0x80}, Metadata.bytes(f, MetadataKey.CODECS.wire()));
                        assertArrayEquals(SESSION_ID, Metadata.bytes(f, MetadataKey.SESSION_ID.wire()));
                        assertEquals(16, Metadata.value(f, MetadataKey.SESSION_ID.wire()).readableBytes());
                        assertEquals(0xFFFF_FFFFL, Metadata.number(f, MetadataKey.SESSION_EXPIRY_S, -1));
                        assertEquals(128L, Metadata.number(f, MetadataKey.MAX_CONCURRENT_REQUESTS, -1));
                        assertEquals(TRACEPARENT, Metadata.string(f, MetadataKey.TRACEPARENT));
                        assertFalse(Metadata.has(f, MetadataKey.SESSION_PRESENT));
                    });
            case WELCOME -> new Sample("WELCOME", type, 0, Codecs.RAW, 0, 0, List.of(
                    bytes(MetadataKey.SESSION_ID.wire(), SESSION_ID),
                    u8(MetadataKey.SESSION_PRESENT, 1),
                    u32(MetadataKey.KEEPALIVE_MS, 15_000),
                    u32(MetadataKey.MAX_FRAME, 1_048_576),
                    u16(MetadataKey.RECEIVE_WINDOW, 100),
                    bytes(MetadataKey.CODECS.wire(), new byte[] {1, 0}),
                    u32(MetadataKey.MAX_CONCURRENT_REQUESTS, 64),
                    u32(MetadataKey.SESSION_EXPIRY_S, 3600),
                    utf8(MetadataKey.SERVER_NAME, "mcp-java/0.1.0 (\u00e9t\u00e9)")),
                    new byte[0], f -> {
                        assertArrayEquals(SESSION_ID, Metadata.bytes(f, MetadataKey.SESSION_ID.wire()));
                        assertEquals(1L, Metadata.number(f, MetadataKey.SESSION_PRESENT, -1));
                        assertEquals(15_000L, Metadata.number(f, MetadataKey.KEEPALIVE_MS, -1));
                        assertEquals(1_048_576L, Metadata.number(f, MetadataKey.MAX_FRAME, -1));
                        assertEquals(100L, Metadata.number(f, MetadataKey.RECEIVE_WINDOW, -1));
                        assertArrayEquals(new byte[] {1, 0}, Metadata.bytes(f, MetadataKey.CODECS.wire()));
                        assertEquals(64L, Metadata.number(f, MetadataKey.MAX_CONCURRENT_REQUESTS, -1));
                        assertEquals(3600L, Metadata.number(f, MetadataKey.SESSION_EXPIRY_S, -1));
                        assertEquals("mcp-java/0.1.0 (\u00e9t\u00e9)", Metadata.string(f, MetadataKey.SERVER_NAME));
                    });
            case PING -> new Sample("PING", type, 0, Codecs.RAW, 0, 0, List.of(),
                    be64(0x0123_4567_89AB_CDEFL), f -> assertEquals(0x0123_4567_89AB_CDEFL, FrameHeader.payload(f).getLong(0)));
            case PONG -> new Sample("PONG", type, 0, Codecs.RAW, 0, 0, List.of(),
                    be64(-1L), f -> assertEquals(-1L, FrameHeader.payload(f).getLong(0)));
            case GOAWAY -> new Sample("GOAWAY", type, 0, Codecs.RAW, 0, 0, List.of(
                    u16(MetadataKey.ERROR_CODE, ErrorCode.SESSION_TAKEN_OVER.code()),
                    utf8(MetadataKey.ERROR_MESSAGE, "session resumed on another connection"),
                    u32(MetadataKey.LAST_STREAM_ID, 0xFFFF_FFFDL)),
                    new byte[0], f -> {
                        assertEquals(ErrorCode.SESSION_TAKEN_OVER, ErrorCode.fromCode(
                                (int) Metadata.number(f, MetadataKey.ERROR_CODE, -1)));
                        assertEquals("session resumed on another connection", Metadata.string(f, MetadataKey.ERROR_MESSAGE));
                        assertEquals(0xFFFF_FFFDL, Metadata.number(f, MetadataKey.LAST_STREAM_ID, -1));
                    });
            case REQUEST -> new Sample("REQUEST", type, 0, Codecs.JSON, 0x0102, 0xFFFF_FFFFL, List.of(
                    u32(MetadataKey.TIMEOUT_MS, 2_500),
                    utf8(MetadataKey.TRACEPARENT, TRACEPARENT),
                    utf8(MetadataKey.TRACESTATE, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"),
                    header("x-tenant", "acme"),
                    header("x-request-id", "4711"),
                    bytes(0x80, new byte[] {(byte) 0xCA, (byte) 0xFE}),
                    bytes(0xFE, new byte[0])),
                    utf8("{\"op\":\"sum\",\"args\":[1,2,3]}"), f -> {
                        assertEquals(2_500L, Metadata.number(f, MetadataKey.TIMEOUT_MS, -1));
                        assertEquals(TRACEPARENT, Metadata.string(f, MetadataKey.TRACEPARENT));
                        assertEquals("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", Metadata.string(f, MetadataKey.TRACESTATE));
                        assertEquals("acme", Metadata.header(f, "x-tenant"));
                        assertEquals("4711", Metadata.header(f, "x-request-id"));
                        assertNull(Metadata.header(f, "x-missing"));
                        assertArrayEquals(new byte[] {(byte) 0xCA, (byte) 0xFE}, Metadata.bytes(f, 0x80));
                        assertArrayEquals(new byte[0], Metadata.bytes(f, 0xFE));
                    });
            case RESPONSE -> new Sample("RESPONSE", type, 0, Codecs.PROTOBUF, 0xFF01, 2, List.of(
                    header("x-cache", "hit")),
                    new byte[] {0x08, (byte) 0x96, 0x01}, f -> assertEquals("hit", Metadata.header(f, "x-cache")));
            case ERROR -> new Sample("ERROR", type, 0, Codecs.RAW, 0x0102, 3, List.of(
                    u16(MetadataKey.ERROR_CODE, 0x8001),
                    utf8(MetadataKey.ERROR_MESSAGE, "\u00fcberlastet: \u4e2d\u6587")),
                    new byte[0], f -> {
                        assertEquals(0x8001L, Metadata.number(f, MetadataKey.ERROR_CODE, -1));
                        assertEquals("APPLICATION(0x8001)", ErrorCode.nameOf((int) Metadata.number(f, MetadataKey.ERROR_CODE, -1)));
                        assertEquals("\u00fcberlastet: \u4e2d\u6587", Metadata.string(f, MetadataKey.ERROR_MESSAGE));
                    });
            case NOTIFY -> new Sample("NOTIFY", type, 0, Codecs.MSGPACK, 0x7FFF, 0, List.of(
                    bytes(0x80, new byte[] {1}),
                    bytesFromBuf(0xC3, new byte[] {2, 3, 4}),
                    utf8(0xFE, "app text")),
                    new byte[] {(byte) 0x93, 1, 2, 3}, f -> {
                        assertArrayEquals(new byte[] {1}, Metadata.bytes(f, 0x80));
                        assertArrayEquals(new byte[] {2, 3, 4}, Metadata.bytes(f, 0xC3));
                        assertArrayEquals(utf8("app text"), Metadata.bytes(f, 0xFE));
                        assertNull(Metadata.bytes(f, 0x81));
                    });
            case CANCEL -> new Sample("CANCEL", type, 0, Codecs.RAW, 0, 5, List.of(), new byte[0], f -> { });
            case PUBLISH -> new Sample("PUBLISH", type, Flags.publish(2, true, true), Codecs.JSON, 0, 0xFFFF_FFFFL, List.of(
                    utf8(MetadataKey.TOPIC, "sensors/hall-1/temp"),
                    u32(MetadataKey.MESSAGE_EXPIRY_S, 86_400),
                    header("content-type", "application/json")),
                    utf8("{\"v\":21.5}"), f -> {
                        assertEquals(2, Flags.qos(FrameHeader.flags(f)));
                        assertTrue(Flags.isDup(FrameHeader.flags(f)));
                        assertTrue(Flags.isRetain(FrameHeader.flags(f)));
                        assertEquals("sensors/hall-1/temp", Metadata.string(f, MetadataKey.TOPIC));
                        assertEquals(86_400L, Metadata.number(f, MetadataKey.MESSAGE_EXPIRY_S, -1));
                        assertEquals("application/json", Metadata.header(f, "content-type"));
                    });
            case PUBACK -> new Sample("PUBACK", type, 0, Codecs.RAW, 0, 7, List.of(), new byte[0], f -> { });
            case PUBREC -> new Sample("PUBREC", type, 0, Codecs.RAW, 0, 9, List.of(), new byte[0], f -> { });
            case PUBREL -> new Sample("PUBREL", type, Flags.DUP, Codecs.RAW, 0, 9, List.of(), new byte[0],
                    f -> assertTrue(Flags.isDup(FrameHeader.flags(f))));
            case PUBCOMP -> new Sample("PUBCOMP", type, 0, Codecs.RAW, 0, 9, List.of(), new byte[0], f -> { });
            case NACK -> new Sample("NACK", type, 0, Codecs.RAW, 0, 11, List.of(
                    u16(MetadataKey.ERROR_CODE, ErrorCode.OVERLOADED.code()),
                    utf8(MetadataKey.ERROR_MESSAGE, "retry later")),
                    new byte[0], f -> {
                        assertEquals(ErrorCode.OVERLOADED.code(), Metadata.number(f, MetadataKey.ERROR_CODE, -1));
                        assertEquals("retry later", Metadata.string(f, MetadataKey.ERROR_MESSAGE));
                    });
            case SUBSCRIBE -> new Sample("SUBSCRIBE", type, 0, Codecs.RAW, 0, 13, List.of(
                    subscription(1, "sensors/+/temp"),
                    subscription(2, "$share/workers/jobs/#")),
                    new byte[0], f -> {
                        List<String> filters = new ArrayList<>();
                        MetadataCursor c = new MetadataCursor().reset(f);
                        while (c.next()) {
                            assertEquals(MetadataKey.SUBSCRIPTION.wire(), c.key());
                            ByteBuf v = c.value();
                            filters.add(v.getUnsignedByte(0) + " " + v.toString(1, v.readableBytes() - 1, StandardCharsets.UTF_8));
                        }
                        assertEquals(List.of("1 sensors/+/temp", "2 $share/workers/jobs/#"), filters);
                    });
            case SUBACK -> new Sample("SUBACK", type, 0, Codecs.RAW, 0, 13, List.of(),
                    new byte[] {1, 2, 0, (byte) 0x80}, f -> { });
            case UNSUBSCRIBE -> new Sample("UNSUBSCRIBE", type, 0, Codecs.RAW, 0, 15, List.of(
                    utf8(MetadataKey.TOPIC, "sensors/+/temp"),
                    utf8(MetadataKey.TOPIC, "alarms/#")),
                    new byte[0], f -> {
                        List<String> topics = new ArrayList<>();
                        MetadataCursor c = new MetadataCursor().reset(f);
                        while (c.next()) {
                            assertEquals(MetadataKey.TOPIC.wire(), c.key());
                            topics.add(c.valueAsString());
                        }
                        assertEquals(List.of("sensors/+/temp", "alarms/#"), topics);
                        assertEquals("sensors/+/temp", Metadata.string(f, MetadataKey.TOPIC), "first TOPIC wins a point lookup");
                    });
            case UNSUBACK -> new Sample("UNSUBACK", type, 0, Codecs.RAW, 0, 15, List.of(), new byte[0], f -> { });
        };
    }

    /** Legal variants beyond the representative sample of each type: other stream-id and flag cases. */
    static Stream<Sample> variants() {
        return Stream.of(
                new Sample("ERROR on stream 0 (connection error)", FrameType.ERROR, 0, Codecs.RAW, 0, 0, List.of(
                        u16(MetadataKey.ERROR_CODE, ErrorCode.CHECKSUM_MISMATCH.code()),
                        utf8(MetadataKey.ERROR_MESSAGE, "")), new byte[0],
                        f -> assertEquals("", Metadata.string(f, MetadataKey.ERROR_MESSAGE))),
                new Sample("PUBLISH QoS 0, packet id 0, empty payload", FrameType.PUBLISH, Flags.publish(0, false, true),
                        Codecs.RAW, 0, 0, List.of(utf8(MetadataKey.TOPIC, "t")), new byte[0], f -> { }),
                new Sample("PUBLISH QoS 1, packet id 1, 1024-byte topic", FrameType.PUBLISH, Flags.publish(1, false, false),
                        Codecs.PROTOBUF, 0, 1, List.of(utf8(MetadataKey.TOPIC, "a/".repeat(511) + "zz")),
                        new byte[] {0}, f -> assertEquals(1024, Metadata.value(f, MetadataKey.TOPIC.wire()).readableBytes())),
                new Sample("PUBREL without DUP", FrameType.PUBREL, 0, Codecs.RAW, 0, 1, List.of(), new byte[0], f -> { }),
                new Sample("REQUEST, application codec, opcode 0xFFFF, empty named header, 70000-byte payload",
                        FrameType.REQUEST, 0, 255, 0xFFFF, 2, List.of(
                        bytes(0x9F, new byte[300]),
                        header("", "")), new byte[70_000], f -> { }),
                new Sample("WELCOME with SESSION_PRESENT 0 and 256-byte SERVER_NAME", FrameType.WELCOME, 0, Codecs.RAW, 0, 0,
                        List.of(u8(MetadataKey.SESSION_PRESENT, 0), utf8(MetadataKey.SERVER_NAME, "s".repeat(256))),
                        new byte[0], f -> assertEquals(0L, Metadata.number(f, MetadataKey.SESSION_PRESENT, -1))),
                new Sample("HELLO with 256-byte CLIENT_ID", FrameType.HELLO, 0, Codecs.RAW, 0, 0,
                        List.of(utf8(MetadataKey.CLIENT_ID, "c".repeat(256))), new byte[0], f -> { }));
    }

    // ------------------------------------------------------------------ round trips

    @ParameterizedTest
    @EnumSource(FrameType.class)
    void everyFrameTypeRoundTripsEveryField(FrameType type) {
        Sample s = sample(type);
        assertEquals(type, s.type());
        roundTrip(s, PooledByteBufAllocator.DEFAULT);
    }

    @ParameterizedTest
    @EnumSource(FrameType.class)
    void everyFrameTypeRoundTripsThroughHeapBuffers(FrameType type) {
        roundTrip(sample(type), UnpooledByteBufAllocator.DEFAULT);
    }

    @ParameterizedTest
    @MethodSource("variants")
    void variantsRoundTrip(Sample s) {
        roundTrip(s, PooledByteBufAllocator.DEFAULT);
    }

    @Test
    void specVectorsAreWhatTheWriterProducesForTheSameFields() {
        // The HELLO vector of MCP-SPEC section 10 through the sample machinery, to tie the
        // independent expectations used here to the spec's bytes.
        Sample hello = new Sample("HELLO vector", FrameType.HELLO, 0, Codecs.RAW, 0, 0, List.of(
                utf8(MetadataKey.CLIENT_ID, "dev-1"),
                u32(MetadataKey.KEEPALIVE_MS, 30_000),
                bytes(MetadataKey.CODECS.wire(), new byte[] {1, 3, 0})), new byte[0], f -> { });
        assertArrayEquals(SpecVectorsTest.hex(SpecVectorsTest.HELLO), expectedWire(hello));
        roundTrip(hello, PooledByteBufAllocator.DEFAULT);
    }

    @Test
    void namedHeadersAndApplicationKeys() {
        String longName = "n".repeat(255);
        Sample s = new Sample("REQUEST with named headers", FrameType.REQUEST, 0, Codecs.RAW, 1, 1, List.of(
                header("x-tenant", "acme"),
                header("x-tenant", "second"),
                header("\u043a\u043b\u044e\u0447", "\u0437\u043d\u0430\u0447\u0435\u043d\u0438\u0435"),
                header("\u00e9", "latin"),
                header("", "empty name"),
                header(longName, ""),
                bytes(0x80, new byte[] {0x00}),
                bytes(0xA5, new byte[] {(byte) 0xFF, 0x00, (byte) 0xFF}),
                bytes(0xFE, new byte[0])), utf8("body"), f -> {
            List<String> seen = new ArrayList<>();
            MetadataCursor c = new MetadataCursor().reset(f);
            while (c.next()) {
                if (c.isNamedHeader()) {
                    seen.add(c.headerName() + "=" + c.headerValue().toString(StandardCharsets.UTF_8));
                    assertTrue(c.headerNameEquals(c.headerName()));
                } else {
                    seen.add(String.format("0x%02x=%s", c.key(), ByteBufUtil.hexDump(c.value())));
                }
            }
            assertEquals(List.of("x-tenant=acme", "x-tenant=second",
                    "\u043a\u043b\u044e\u0447=\u0437\u043d\u0430\u0447\u0435\u043d\u0438\u0435",
                    "\u00e9=latin", "=empty name", longName + "=",
                    "0x80=00", "0xa5=ff00ff", "0xfe="), seen);

            assertEquals("acme", Metadata.header(f, "x-tenant"), "first of a repeated header wins a point lookup");
            assertEquals("\u0437\u043d\u0430\u0447\u0435\u043d\u0438\u0435", Metadata.header(f, "\u043a\u043b\u044e\u0447"));
            assertEquals("latin", Metadata.header(f, "\u00e9"));
            assertEquals("empty name", Metadata.header(f, ""));
            assertEquals("", Metadata.header(f, longName));
            assertNull(Metadata.header(f, "x-tenan"));
            assertNull(Metadata.header(f, "X-TENANT"), "header names compare exactly");
            // "é" is C3 A9 in UTF-8; "Ã©" is the two chars U+00C3 U+00A9: same length, different name.
            assertNull(Metadata.header(f, "\u00c3\u00a9"), "a UTF-8 name must not match its Latin-1 reading");
        });
        roundTrip(s, PooledByteBufAllocator.DEFAULT);
    }

    @Test
    void headerNameEqualsComparesUtf8NotLatin1() {
        ByteBuf frame = writer.begin(Unpooled.buffer(), FrameType.NOTIFY, 0, 0, 0, 0)
                .header("\u00e9", "v").finish();
        try {
            MetadataCursor c = new MetadataCursor().reset(frame);
            assertTrue(c.next());
            assertTrue(c.headerNameEquals("\u00e9"));
            assertFalse(c.headerNameEquals("\u00c3\u00a9"));
            assertFalse(c.headerNameEquals("e"));
            assertFalse(c.next());
        } finally {
            frame.release();
        }
    }

    @Test
    void payloadWrittenThroughPayloadOut() {
        ByteBuf frame = writer.begin(PooledByteBufAllocator.DEFAULT, 16, FrameType.RESPONSE, 0, Codecs.RAW, 9, 3)
                .u32(MetadataKey.TIMEOUT_MS, 1)
                .payloadOut().writeLong(7);
        writer.payloadOut().writeInt(8); // continues the same payload
        assertEquals(FrameType.RESPONSE, writer.type());
        assertSame(frame, writer.finish());
        assertNull(writer.type(), "writer is free after finish");
        try {
            ByteBuf f = decoder.decode(frame);
            try {
                assertEquals(7, FrameHeader.metadataLength(f));
                assertEquals(12, FrameHeader.payloadLength(f));
                assertEquals(7L, FrameHeader.payload(f).getLong(0));
                assertEquals(8, FrameHeader.payload(f).getInt(8));
            } finally {
                f.release();
            }
        } finally {
            frame.release();
        }
    }

    @Test
    void payloadFromByteBufIsCopiedNotConsumedNorReleased() {
        ByteBuf payload = Unpooled.copiedBuffer("xyz", StandardCharsets.US_ASCII);
        payload.readByte(); // only the readable bytes are the payload
        ByteBuf frame = writer.begin(PooledByteBufAllocator.DEFAULT, 2, FrameType.PONG, 0, 0, 0, 0)
                .payload(payload).finish();
        try {
            assertEquals(2, payload.readableBytes());
            assertEquals(1, payload.refCnt());
            assertEquals("yz", FrameHeader.payload(frame).toString(StandardCharsets.US_ASCII));
        } finally {
            payload.release();
            frame.release();
        }
    }

    @Test
    void decodesFromACompositeBuffer() {
        Sample s = sample(FrameType.HELLO);
        byte[] wire = expectedWire(s);
        CompositeByteBuf in = Unpooled.compositeBuffer();
        in.addComponent(true, Unpooled.wrappedBuffer(wire, 0, 10));
        in.addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(wire, 10, 30));
        in.addComponent(true, Unpooled.wrappedBuffer(wire, 40, wire.length - 40));
        try {
            ByteBuf f = decoder.decode(in);
            assertNotNull(f);
            try {
                assertFrame(f, s, wire);
            } finally {
                f.release();
            }
            assertFalse(in.isReadable());
        } finally {
            in.release();
        }
    }

    @Test
    void framesWrittenBackToBackDecodeInOrder() {
        List<Sample> samples = new ArrayList<>();
        for (FrameType t : FrameType.values()) {
            samples.add(sample(t));
        }
        variants().forEach(samples::add);

        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            buf.writeBytes(new byte[] {1, 2, 3}).skipBytes(3); // frames need not start at index 0
            for (Sample s : samples) {
                write(writer.begin(buf, s.type(), s.flags(), s.codec(), s.opcode(), s.streamId()), s);
                assertSame(buf, writer.finish());
            }
            for (Sample s : samples) {
                int before = buf.readableBytes();
                ByteBuf f = decoder.decode(buf);
                assertNotNull(f, s.name());
                try {
                    byte[] wire = expectedWire(s);
                    assertEquals(before - wire.length, buf.readableBytes(), "consumed exactly one frame: " + s);
                    assertFrame(f, s, wire);
                } finally {
                    f.release();
                }
            }
            assertNull(decoder.decode(buf));
            assertFalse(buf.isReadable());
            decoder.checkEndOfStream(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void decodedFrameOutlivesTheInputBuffer() {
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer();
        Sample s = sample(FrameType.PUBLISH);
        write(writer.begin(in, s.type(), s.flags(), s.codec(), s.opcode(), s.streamId()), s);
        writer.finish();
        ByteBuf f = decoder.decode(in);
        in.release(); // the caller is done with its input; the frame it owns stays valid
        try {
            assertFrame(f, s, expectedWire(s));
        } finally {
            assertTrue(f.release(), "releasing the frame frees the last reference");
        }
    }

    private void roundTrip(Sample s, ByteBufAllocator alloc) {
        ByteBuf encoded = write(writer.begin(alloc, s.payload().length, s.type(), s.flags(), s.codec(), s.opcode(),
                s.streamId()), s).finish();
        try {
            byte[] wire = ByteBufUtil.getBytes(encoded);
            assertArrayEquals(expectedWire(s), wire, "encoding of " + s);
            ByteBuf f = decoder.decode(encoded);
            assertNotNull(f, "whole frame decodes: " + s);
            assertFalse(encoded.isReadable(), "decoder consumed exactly the frame");
            try {
                assertFrame(f, s, wire);
            } finally {
                f.release();
            }
        } finally {
            encoded.release();
        }
    }

    private static FrameWriter write(FrameWriter w, Sample s) {
        for (Entry e : s.entries()) {
            e.write().accept(w);
        }
        return w.payload(s.payload());
    }

    /** Every field of a decoded frame against the sample and the exact wire bytes. */
    private static void assertFrame(ByteBuf f, Sample s, byte[] wire) {
        int m = s.metadataLength();
        int p = s.payload().length;
        assertAll(s.name(),
                () -> assertEquals(22 + m + p, f.readableBytes(), "frame length"),
                () -> assertEquals(22 + m + p, FrameHeader.frameLength(f), "frameLength()"),
                () -> assertArrayEquals(wire, ByteBufUtil.getBytes(f), "frame bytes"),
                () -> assertEquals(0x4D43, f.getUnsignedShort(f.readerIndex()), "magic"),
                () -> assertEquals(1, f.getUnsignedByte(f.readerIndex() + 2), "version"),
                () -> assertEquals(s.type(), FrameHeader.type(f), "type"),
                () -> assertEquals(s.flags(), FrameHeader.flags(f), "flags"),
                () -> assertEquals(s.codec(), FrameHeader.codec(f), "codec"),
                () -> assertEquals(s.opcode(), FrameHeader.opcode(f), "opcode"),
                () -> assertEquals(s.streamId(), FrameHeader.streamId(f), "stream id"),
                () -> assertEquals(m, FrameHeader.metadataLength(f), "M"),
                () -> assertEquals(p, FrameHeader.payloadLength(f), "P"),
                () -> assertEquals(m, FrameHeader.metadata(f).readableBytes(), "metadata slice"),
                () -> assertArrayEquals(s.payload(), ByteBufUtil.getBytes(FrameHeader.payload(f)), "payload"),
                () -> assertEntries(f, s.entries()),
                () -> assertChecksum(f, wire),
                () -> s.typed().accept(f));
        ByteBuf retained = FrameHeader.retainedPayload(f);
        try {
            assertArrayEquals(s.payload(), ByteBufUtil.getBytes(retained));
        } finally {
            retained.release();
        }
    }

    private static void assertEntries(ByteBuf f, List<Entry> expected) {
        MetadataCursor c = new MetadataCursor().reset(f);
        for (Entry e : expected) {
            assertTrue(c.next(), "missing entry " + e);
            assertEquals(e.key(), c.key(), "key of " + e);
            assertEquals(e.value().length, c.valueLength(), "length of " + e);
            assertArrayEquals(e.value(), ByteBufUtil.getBytes(c.value()), "value of " + e);
            if (e.key() == MetadataKey.NAMED_HEADER) {
                assertTrue(c.isNamedHeader());
                int n = e.value()[0] & 0xFF;
                String name = new String(e.value(), 1, n, StandardCharsets.UTF_8);
                assertEquals(name, c.headerName());
                assertTrue(c.headerNameEquals(name), "headerNameEquals " + name);
                assertArrayEquals(Arrays.copyOfRange(e.value(), 1 + n, e.value().length),
                        ByteBufUtil.getBytes(c.headerValue()));
            } else {
                assertFalse(c.isNamedHeader());
                if (e.value().length == 1 || e.value().length == 2 || e.value().length == 4) {
                    assertEquals(unsigned(e.value()), c.valueAsNumber(), "number of " + e);
                }
            }
        }
        assertFalse(c.next(), "no entries beyond the expected ones");
    }

    private static void assertChecksum(ByteBuf f, byte[] wire) {
        CRC32C crc = new CRC32C();
        crc.update(wire, 0, wire.length - 4);
        int expected = (int) crc.getValue();
        assertEquals(expected, FrameHeader.checksum(f), "checksum accessor");
        assertEquals(expected, f.getInt(f.readerIndex() + wire.length - 4), "trailer bytes");
    }

    // ------------------------------------------------------------------ independent encoding

    /** The frame bytes a sample must encode to, built here without FrameWriter. */
    static byte[] expectedWire(Sample s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x4D);
        out.write(0x43);
        out.write(1);
        out.write(s.type().wire());
        out.write(s.flags());
        out.write(s.codec());
        out.write(s.opcode() >>> 8);
        out.write(s.opcode());
        out.writeBytes(be32(s.streamId()));
        out.write(s.metadataLength() >>> 8);
        out.write(s.metadataLength());
        out.writeBytes(be32(s.payload().length));
        for (Entry e : s.entries()) {
            out.write(e.key());
            out.write(e.value().length >>> 8);
            out.write(e.value().length);
            out.writeBytes(e.value());
        }
        out.writeBytes(s.payload());
        CRC32C crc = new CRC32C();
        byte[] body = out.toByteArray();
        crc.update(body);
        out.writeBytes(be32(crc.getValue()));
        return out.toByteArray();
    }

    static byte[] be32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static byte[] be64(long v) {
        return concat(be32(v >>> 32), be32(v));
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

    private static long unsigned(byte[] v) {
        long n = 0;
        for (byte b : v) {
            n = (n << 8) | (b & 0xFF);
        }
        return n;
    }

    // ------------------------------------------------------------------ writer misuse

    static Stream<Arguments> illegalFlags() {
        List<Arguments> cases = new ArrayList<>();
        for (FrameType t : FrameType.values()) {
            for (int bit = 0; bit < 8; bit++) {
                int flag = 1 << bit;
                boolean allowed = t == FrameType.PUBLISH ? bit <= 3 : t == FrameType.PUBREL && flag == Flags.DUP;
                if (!allowed) {
                    cases.add(Arguments.of(t, flag));
                }
            }
        }
        cases.add(Arguments.of(FrameType.PUBLISH, 0x100));
        cases.add(Arguments.of(FrameType.PUBLISH, -1));
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("illegalFlags")
    void writerRefusesFlagsNotDefinedForTheType(FrameType type, int flags) {
        // a stream id the type would accept with these flags, so only the flags are wrong
        long streamId = type.streamIdRule() == FrameType.StreamIdRule.ZERO
                || (type == FrameType.PUBLISH && Flags.qos(flags) == 0) ? 0 : 1;
        assertRefusedAtBegin(type, flags, 0, 0, streamId);
    }

    @Test
    void writerRefusesQos3() {
        assertRefusedAtBegin(FrameType.PUBLISH, 0x03, 0, 0, 1);
        assertRefusedAtBegin(FrameType.PUBLISH, 0x0F, 0, 0, 1);
        assertThrows(IllegalArgumentException.class, () -> Flags.publish(3, false, false));
        assertThrows(IllegalArgumentException.class, () -> Flags.publish(-1, false, false));
    }

    static Stream<Arguments> illegalStreamIds() {
        return Stream.of(
                Arguments.of(FrameType.REQUEST, 0, 0L),
                Arguments.of(FrameType.RESPONSE, 0, 0L),
                Arguments.of(FrameType.CANCEL, 0, 0L),
                Arguments.of(FrameType.PUBACK, 0, 0L),
                Arguments.of(FrameType.PUBREC, 0, 0L),
                Arguments.of(FrameType.PUBREL, 0, 0L),
                Arguments.of(FrameType.PUBCOMP, 0, 0L),
                Arguments.of(FrameType.NACK, 0, 0L),
                Arguments.of(FrameType.SUBSCRIBE, 0, 0L),
                Arguments.of(FrameType.SUBACK, 0, 0L),
                Arguments.of(FrameType.UNSUBSCRIBE, 0, 0L),
                Arguments.of(FrameType.UNSUBACK, 0, 0L),
                Arguments.of(FrameType.HELLO, 0, 1L),
                Arguments.of(FrameType.WELCOME, 0, 2L),
                Arguments.of(FrameType.PING, 0, 5L),
                Arguments.of(FrameType.PONG, 0, 0xFFFF_FFFFL),
                Arguments.of(FrameType.GOAWAY, 0, 1L),
                Arguments.of(FrameType.NOTIFY, 0, 1L),
                Arguments.of(FrameType.PUBLISH, Flags.publish(1, false, false), 0L),
                Arguments.of(FrameType.PUBLISH, Flags.publish(2, false, false), 0L),
                Arguments.of(FrameType.PUBLISH, Flags.publish(0, false, false), 3L),
                Arguments.of(FrameType.ERROR, 0, -1L),
                Arguments.of(FrameType.REQUEST, 0, 0x1_0000_0000L),
                Arguments.of(FrameType.REQUEST, 0, Long.MIN_VALUE));
    }

    @ParameterizedTest
    @MethodSource("illegalStreamIds")
    void writerRefusesStreamIdsTheTypeDoesNotAllow(FrameType type, int flags, long streamId) {
        assertRefusedAtBegin(type, flags, 0, 0, streamId);
    }

    @Test
    void writerRefusesCodecAndOpcodeOutOfRange() {
        assertRefusedAtBegin(FrameType.REQUEST, 0, 256, 0, 1);
        assertRefusedAtBegin(FrameType.REQUEST, 0, -1, 0, 1);
        assertRefusedAtBegin(FrameType.REQUEST, 0, 0, 0x1_0000, 1);
        assertRefusedAtBegin(FrameType.REQUEST, 0, 0, -1, 1);
        assertThrows(IllegalArgumentException.class,
                () -> writer.begin(Unpooled.EMPTY_BUFFER, null, 0, 0, 0, 0));
    }

    @Test
    void failedBeginWithAnAllocatorLeavesNothingAllocated() {
        TrackingAllocator alloc = new TrackingAllocator();
        assertThrows(IllegalArgumentException.class,
                () -> writer.begin(alloc, 0, FrameType.REQUEST, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> writer.begin(alloc, 0, FrameType.PUBLISH, 0x03, 0, 0, 1));
        for (ByteBuf b : alloc.allocated) {
            assertEquals(0, b.refCnt(), "a buffer allocated by a refused begin() must be released");
        }
        assertNull(writer.type());
    }

    @Test
    void writerRefusesU32OutOfRange() {
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.u32(MetadataKey.TIMEOUT_MS, -1));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.u32(MetadataKey.TIMEOUT_MS, 0x1_0000_0000L));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.u32(MetadataKey.MAX_FRAME, Long.MAX_VALUE));
    }

    @Test
    void writerRefusesU16AndU8OutOfRange() {
        // A silently truncated value would put a different, legal-looking number on the wire.
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.u16(MetadataKey.ERROR_CODE, 0x1_0000));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.u16(MetadataKey.RECEIVE_WINDOW, -1));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.u8(MetadataKey.SESSION_PRESENT, 256));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.u8(MetadataKey.SESSION_PRESENT, -1));
    }

    @Test
    void writerRefusesValuesLongerThan65535Bytes() {
        byte[] big = new byte[0x1_0000];
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.bytes(0x80, big));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> {
            ByteBuf b = Unpooled.wrappedBuffer(big);
            try {
                w.bytes(0x80, b);
            } finally {
                b.release();
            }
        });
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.utf8(MetadataKey.ERROR_MESSAGE, "e".repeat(0x1_0000)));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.utf8(MetadataKey.ERROR_MESSAGE, "\u20ac".repeat(21_846)));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.subscription(0, "f".repeat(0xFFFF)));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.header("n", "v".repeat(0xFFFE)));
        // a metadata section of exactly 65535 bytes is still legal
        ByteBuf ok = writer.begin(Unpooled.buffer(), FrameType.NOTIFY, 0, 0, 0, 0)
                .bytes(0x80, new byte[0xFFFF - 3]).finish();
        try {
            ByteBuf f = decoder.decode(ok);
            assertEquals(0xFFFF, FrameHeader.metadataLength(f));
            f.release();
        } finally {
            ok.release();
        }
    }

    @Test
    void writerRefusesAMetadataSectionLongerThan65535Bytes() {
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.bytes(0x80, new byte[40_000])
                .bytes(0x81, new byte[40_000]).finish());
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.bytes(0x80, new byte[40_000])
                .bytes(0x81, new byte[40_000]).payloadOut());
    }

    @Test
    void writerRefusesBadKeysNamesAndSubscriptionQos() {
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.bytes(0, new byte[1]));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.bytes(0x100, new byte[1]));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.utf8(-1, "x"));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.header("h".repeat(256), "v"));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.header("\u00e9".repeat(128), "v"));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.subscription(3, "a/b"));
        assertRefusedInMetadata(IllegalArgumentException.class, w -> w.subscription(-1, "a/b"));
    }

    @Test
    void writerRefusesMetadataAfterThePayload() {
        List<Consumer<FrameWriter>> metadataCalls = List.of(
                w -> w.u8(MetadataKey.SESSION_PRESENT, 1),
                w -> w.u16(MetadataKey.ERROR_CODE, 1),
                w -> w.u32(MetadataKey.TIMEOUT_MS, 1),
                w -> w.utf8(MetadataKey.TRACEPARENT, "x"),
                w -> w.utf8(0x80, "x"),
                w -> w.bytes(0x80, new byte[1]),
                w -> w.bytes(0x80, Unpooled.EMPTY_BUFFER),
                w -> w.subscription(1, "a"),
                w -> w.header("a", "b"));
        List<Consumer<FrameWriter>> payloadCalls = List.of(
                w -> w.payload(new byte[] {1}),
                w -> w.payload(Unpooled.EMPTY_BUFFER),
                FrameWriter::payloadOut);
        for (Consumer<FrameWriter> payload : payloadCalls) {
            for (Consumer<FrameWriter> metadata : metadataCalls) {
                assertRefusedInMetadata(IllegalStateException.class, w -> {
                    payload.accept(w);
                    metadata.accept(w);
                });
            }
        }
    }

    @Test
    void writerRefusesCallsOutsideAFrame() {
        FrameWriter fresh = new FrameWriter();
        assertThrows(IllegalStateException.class, () -> fresh.u32(MetadataKey.TIMEOUT_MS, 1));
        assertThrows(IllegalStateException.class, () -> fresh.payload(new byte[1]));
        assertThrows(IllegalStateException.class, fresh::payloadOut);
        assertThrows(IllegalStateException.class, fresh::finish);
        ByteBuf f = fresh.begin(Unpooled.buffer(), FrameType.PING, 0, 0, 0, 0).payload(new byte[8]).finish();
        f.release();
        assertThrows(IllegalStateException.class, fresh::finish, "finish() twice");
        assertThrows(IllegalStateException.class, () -> fresh.header("a", "b"), "metadata after finish()");
    }

    private void assertRefusedAtBegin(FrameType type, int flags, int codec, int opcode, long streamId) {
        ByteBuf out = Unpooled.buffer();
        try {
            assertThrows(IllegalArgumentException.class, () -> writer.begin(out, type, flags, codec, opcode, streamId),
                    () -> type + " flags=" + flags + " codec=" + codec + " opcode=" + opcode + " stream=" + streamId);
            assertEquals(0, out.writerIndex(), "a refused begin() writes nothing");
        } finally {
            out.release();
        }
    }

    private <T extends Throwable> void assertRefusedInMetadata(Class<T> expected, Consumer<FrameWriter> misuse) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            FrameWriter w = new FrameWriter().begin(out, FrameType.REQUEST, 0, 0, 1, 1);
            assertThrows(expected, () -> misuse.accept(w));
        } finally {
            out.release();
        }
    }

    /** An unpooled allocator that remembers what it handed out, to prove nothing stays allocated. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
