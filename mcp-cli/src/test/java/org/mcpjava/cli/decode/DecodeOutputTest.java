package org.mcpjava.cli.decode;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.mcpjava.cli.CliTester;
import org.mcpjava.cli.CliTester.Result;
import org.mcpjava.cli.ExitCodes;
import org.mcpjava.cli.format.MiniJson;
import org.mcpjava.wire.Codecs;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.MetadataKey;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.cli.decode.SpecVectors.ALL;
import static org.mcpjava.cli.decode.SpecVectors.bytesOf;
import static org.mcpjava.cli.decode.SpecVectors.compact;

/** How {@code mcp decode} renders each metadata kind and long payloads, as text and as JSON. */
class DecodeOutputTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final byte[] SESSION = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    private final FrameWriter writer = new FrameWriter();

    private static Result decode(byte[] frame, String... options) {
        List<String> args = new ArrayList<>();
        args.add("decode");
        args.addAll(List.of(options));
        args.add(ByteBufUtil.hexDump(frame));
        Result r = CliTester.run(args.toArray(String[]::new));
        assertEquals(ExitCodes.OK, r.exitCode(), r.describe());
        return r;
    }

    private static void assertContains(String text, String part) {
        assertTrue(text.contains(part), "missing '" + part + "' in\n" + text);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entry(Map<String, Object> frame, int i) {
        return ((List<Map<String, Object>>) frame.get("metadata")).get(i);
    }

    private byte[] errorFrame() {
        return bytesOf(writer.begin(ALLOC, 0, FrameType.ERROR, 0, Codecs.RAW, 0x0042, 3)
                .u16(MetadataKey.ERROR_CODE, ErrorCode.NOT_FOUND.code())
                .utf8(MetadataKey.ERROR_MESSAGE, "no \"op\"\nhere")
                .bytes(0x90, new byte[] {(byte) 0xca, (byte) 0xfe})
                .header("tenant", "acme")
                .header("bin", "\u0001")
                .finish());
    }

    private byte[] welcomeFrame() {
        return bytesOf(writer.begin(ALLOC, 0, FrameType.WELCOME, 0, Codecs.RAW, 0, 0)
                .bytes(MetadataKey.SESSION_ID.wire(), SESSION)
                .u8(MetadataKey.SESSION_PRESENT, 1)
                .bytes(MetadataKey.CODECS.wire(), new byte[] {0, 2, 4, (byte) 200})
                .bytes(0x7e, new byte[0])
                .finish());
    }

    private byte[] subscribeFrame() {
        return bytesOf(writer.begin(ALLOC, 0, FrameType.SUBSCRIBE, 0, Codecs.RAW, 0, 9)
                .subscription(2, "sensors/#")
                .subscription(0, "$share/g/+/t")
                .finish());
    }

    @Test
    void errorFrameMetadataAsText() {
        String out = decode(errorFrame()).out();
        assertContains(out, "  opcode    0x0042\n");
        assertContains(out, "    0x05 ERROR_CODE              7 (NOT_FOUND)\n");
        assertContains(out, "    0x06 ERROR_MESSAGE           \"no \\\"op\\\"\\nhere\"\n");
        assertContains(out, "    0x90 APP(0x90)               cafe\n");
        assertContains(out, "    0xff HEADER                  tenant=acme\n");
        assertContains(out, "    0xff HEADER                  bin=0x01\n");
    }

    @Test
    void errorFrameMetadataAsJson() {
        Map<String, Object> f = MiniJson.object(decode(errorFrame(), "--json").out());
        assertEquals("0x0042", f.get("opcode"));
        assertFalse(f.containsKey("opcodeName"), "application opcodes have no name");
        assertEquals(7L, entry(f, 0).get("value"));
        assertEquals("NOT_FOUND", entry(f, 0).get("errorName"));
        assertEquals("no \"op\"\nhere", entry(f, 1).get("value"));
        assertEquals("cafe", entry(f, 2).get("value"));
        assertEquals("APP(0x90)", entry(f, 2).get("name"));
        assertEquals(Map.of("name", "tenant", "value", "acme"), entry(f, 3).get("value"));
        assertEquals(Map.of("name", "bin", "valueHex", "01"), entry(f, 4).get("value"));
    }

    @Test
    void welcomeFrameBytesKindsAsText() {
        String out = decode(welcomeFrame()).out();
        assertContains(out, "    0x26 SESSION_ID              000102030405060708090a0b0c0d0e0f\n");
        assertContains(out, "    0x28 SESSION_PRESENT         1\n");
        assertContains(out, "    0x24 CODECS                  raw, protobuf, reserved(4), app(200)\n");
        assertContains(out, "    0x7e UNKNOWN(0x7e)           (empty)\n");
    }

    @Test
    void welcomeFrameBytesKindsAsJson() {
        Map<String, Object> f = MiniJson.object(decode(welcomeFrame(), "--json").out());
        assertEquals("000102030405060708090a0b0c0d0e0f", entry(f, 0).get("value"));
        assertEquals(16L, entry(f, 0).get("length"));
        assertEquals(1L, entry(f, 1).get("value"));
        assertEquals(List.of("raw", "protobuf", "reserved(4)", "app(200)"), entry(f, 2).get("value"));
        assertEquals("000204c8", entry(f, 2).get("hex"));
        assertEquals("", entry(f, 3).get("value"));
    }

    @Test
    void subscriptionsAsTextAndJson() {
        assertContains(decode(subscribeFrame()).out(), "    0x10 SUBSCRIPTION            qos 2 \"sensors/#\"\n");
        Map<String, Object> f = MiniJson.object(decode(subscribeFrame(), "--json").out());
        assertEquals(Map.of("qos", 2L, "filter", "sensors/#"), entry(f, 0).get("value"));
        assertEquals(Map.of("qos", 0L, "filter", "$share/g/+/t"), entry(f, 1).get("value"));
    }

    @Test
    void longPayloadIsCutUnlessFull() {
        byte[] payload = new byte[300];
        Arrays.fill(payload, (byte) 'a');
        byte[] frame = bytesOf(writer.begin(ALLOC, 300, FrameType.NOTIFY, 0, Codecs.RAW, 1, 0).payload(payload).finish());

        String cut = decode(frame).out();
        assertContains(cut, "    000000f0  61 61");
        assertFalse(cut.contains("00000100"), cut);
        assertContains(cut, "    ... 44 more bytes (--full shows all)\n");
        assertContains(cut, "... (44 more chars)\n");

        String full = decode(frame, "--full").out();
        assertContains(full, "    00000120  61 61 61 61 61 61 61 61  61 61 61 61              |aaaaaaaaaaaa|\n");
        assertFalse(full.contains("more bytes"), full);

        Map<String, Object> json = MiniJson.object(decode(frame, "--json").out());
        assertEquals(600, ((String) json.get("payload")).length(), "JSON always carries the whole payload");
    }

    @Test
    void jsonCodecWithBinaryPayloadIsFlagged() {
        byte[] frame = bytesOf(writer.begin(ALLOC, 2, FrameType.NOTIFY, 0, Codecs.JSON, 1, 0)
                .payload(new byte[] {(byte) 0xc3, 0x28}).finish());
        assertContains(decode(frame).out(), "(json codec, but the payload is not printable UTF-8)");
    }

    @Test
    void jsonLinesForTheFourVectors() {
        Result r = CliTester.run("decode", "--json", compact(ALL));
        assertEquals(ExitCodes.OK, r.exitCode(), r.describe());
        String[] lines = r.out().split("\n");
        assertEquals(4, lines.length, r.out());
        Map<String, Object> ping = MiniJson.object(lines[0]);
        Map<String, Object> request = MiniJson.object(lines[1]);
        Map<String, Object> publish = MiniJson.object(lines[2]);
        Map<String, Object> hello = MiniJson.object(lines[3]);

        assertEquals("PING", ping.get("type"));
        assertEquals(3L, ping.get("typeValue"));
        assertEquals("000000000000002a", ping.get("payload"));
        assertEquals("0x60c325bc", ping.get("checksum"));
        assertFalse(ping.containsKey("opcode"));
        assertFalse(ping.containsKey("text"));

        assertEquals(1L, request.get("index"));
        assertEquals(30L, request.get("offset"));
        assertEquals("0xff01", request.get("opcode"));
        assertEquals(0xff01L, request.get("opcodeValue"));
        assertEquals("ECHO", request.get("opcodeName"));
        assertEquals("TIMEOUT_MS", entry(request, 0).get("name"));
        assertEquals(1000L, entry(request, 0).get("value"));
        assertEquals("hi", request.get("text"));

        assertEquals(61L, publish.get("offset"));
        assertEquals("QOS1", publish.get("flags"));
        assertEquals(1L, publish.get("flagsValue"));
        assertEquals("json", publish.get("codec"));
        assertEquals(7L, publish.get("streamId"));
        assertEquals(13L, publish.get("metadataLength"));
        assertEquals(10L, publish.get("payloadLength"));
        assertEquals(45L, publish.get("length"));
        assertEquals("sensors/t1", entry(publish, 0).get("value"));
        assertEquals("{\"v\":21.5}", publish.get("text"));

        assertEquals("HELLO", hello.get("type"));
        assertEquals(List.of("json", "msgpack", "raw"), entry(hello, 2).get("value"));
        assertEquals(30000L, entry(hello, 1).get("value"));
        assertEquals("", hello.get("payload"));
    }
}
