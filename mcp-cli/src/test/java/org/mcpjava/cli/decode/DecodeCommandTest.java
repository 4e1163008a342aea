package org.mcpjava.cli.decode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.cli.CliTester;
import org.mcpjava.cli.CliTester.Result;
import org.mcpjava.cli.ExitCodes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.cli.decode.SpecVectors.ALL;
import static org.mcpjava.cli.decode.SpecVectors.HELLO;
import static org.mcpjava.cli.decode.SpecVectors.PING;
import static org.mcpjava.cli.decode.SpecVectors.PUBLISH;
import static org.mcpjava.cli.decode.SpecVectors.REQUEST;
import static org.mcpjava.cli.decode.SpecVectors.bytes;
import static org.mcpjava.cli.decode.SpecVectors.compact;

/** {@code mcp decode} on the spec vectors, every input form, and bad input. */
class DecodeCommandTest {

    private static Result decodeOk(String... args) {
        Result r = CliTester.run(prepend("decode", args));
        assertEquals(ExitCodes.OK, r.exitCode(), r.describe());
        assertEquals("", r.err(), r.describe());
        return r;
    }

    private static String[] prepend(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static void assertLines(Result r, String... lines) {
        assertAll(Arrays.stream(lines).map(line -> () -> assertTrue(r.out().contains(line + "\n"),
                "missing line '" + line + "' in\n" + r.out())));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void pingVector() {
        Result r = decodeOk(compact(PING));
        assertLines(r,
                "frame 0 at offset 0",
                "  type      PING (0x03)",
                "  flags     - (0x00)",
                "  codec     raw (0)",
                "  stream    0",
                "  M         0",
                "  P         8",
                "  length    30",
                "  checksum  0x60c325bc",
                "  metadata  none",
                "  payload   8 bytes",
                "    00000000  00 00 00 00 00 00 00 2a                           |.......*|");
        assertFalse(r.out().contains("opcode"), "PING has no opcode: " + r.out());
        assertFalse(r.out().contains("text "), "binary payload has no text preview: " + r.out());
    }

    @Test
    void requestVector() {
        Result r = decodeOk(compact(REQUEST));
        assertLines(r,
                "  type      REQUEST (0x10)",
                "  codec     raw (0)",
                "  opcode    0xff01 (ECHO)",
                "  stream    1",
                "  M         7",
                "  P         2",
                "  length    31",
                "  checksum  0xfd11fdeb",
                "  metadata  1 entry",
                "    0x04 TIMEOUT_MS              1000",
                "  payload   2 bytes",
                "  text      hi");
    }

    @Test
    void publishVector() {
        Result r = decodeOk(compact(PUBLISH));
        assertLines(r,
                "  type      PUBLISH (0x20)",
                "  flags     QOS1 (0x01)",
                "  codec     json (1)",
                "  stream    7",
                "  M         13",
                "  P         10",
                "  length    45",
                "  checksum  0x0d57e862",
                "    0x01 TOPIC                   \"sensors/t1\"",
                "  payload   10 bytes",
                "    00000000  7b 22 76 22 3a 32 31 2e  35 7d                    |{\"v\":21.5}|",
                "  text      {\"v\":21.5}");
        assertFalse(r.out().contains("opcode"), r.out());
    }

    @Test
    void helloVector() {
        Result r = decodeOk(compact(HELLO));
        assertLines(r,
                "  type      HELLO (0x01)",
                "  stream    0",
                "  M         21",
                "  P         0",
                "  length    43",
                "  checksum  0xe6b1755d",
                "  metadata  3 entries",
                "    0x20 CLIENT_ID               \"dev-1\"",
                "    0x21 KEEPALIVE_MS            30000",
                "    0x24 CODECS                  json, msgpack, raw",
                "  payload   none");
    }

    @Test
    void allFourConcatenatedInOneArgument() {
        Result r = decodeOk(compact(ALL));
        assertEquals(4, count(r.out(), "frame "), r.out());
        assertLines(r, "frame 0 at offset 0", "frame 1 at offset 30", "frame 2 at offset 61", "frame 3 at offset 106");
        assertTrue(r.out().indexOf("PING") < r.out().indexOf("REQUEST"), r.out());
        assertTrue(r.out().indexOf("PUBLISH") < r.out().indexOf("HELLO"), r.out());
    }

    @Test
    void argumentsAreJoinedAndSeparatorsTolerated() {
        String colons = String.join(":", PING.split(" "));
        String prefixed = "0x" + String.join(", 0x", REQUEST.split(" "));
        Result r = decodeOk(colons, prefixed, PUBLISH, "0x" + compact(HELLO));
        assertEquals(4, count(r.out(), "frame "), r.out());
        assertEquals(decodeOk(compact(ALL)).out(), r.out());
    }

    @Test
    void binaryFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("frames.bin");
        Files.write(file, bytes(ALL));
        Result r = decodeOk("--file", file.toString());
        assertEquals(decodeOk(compact(ALL)).out(), r.out());
    }

    @Test
    void binaryStdin() {
        Result r = CliTester.runWithStdin(bytes(ALL), "decode", "--file", "-");
        assertEquals(ExitCodes.OK, r.exitCode(), r.describe());
        assertEquals(decodeOk(compact(ALL)).out(), r.out());
    }

    @Test
    void hexStdinWithoutArgumentsOrWithDash() {
        byte[] text = (PING + "\n" + PUBLISH + "\n").getBytes(StandardCharsets.US_ASCII);
        Result none = CliTester.runWithStdin(text, "decode");
        Result dash = CliTester.runWithStdin(text, "decode", "-");
        assertEquals(ExitCodes.OK, none.exitCode(), none.describe());
        assertEquals(2, count(none.out(), "frame "), none.out());
        assertTrue(none.out().contains("PUBLISH (0x20)"), none.out());
        assertEquals(none, dash);
    }

    @Test
    void emptyStdinIsZeroFrames() {
        Result r = CliTester.runWithStdin(new byte[0], "decode");
        assertEquals(new Result(ExitCodes.OK, "", ""), r);
    }

    @Test
    void corruptChecksumPrintsEarlierFramesThenTheSpecErrorName() {
        String corrupt = compact(PUBLISH).substring(0, compact(PUBLISH).length() - 2) + "63";
        Result r = CliTester.run("decode", compact(PING) + corrupt);
        assertEquals(ExitCodes.BAD_FRAME, r.exitCode(), r.describe());
        assertTrue(r.out().contains("PING (0x03)"), "frame before the bad one is printed: " + r.describe());
        assertFalse(r.out().contains("PUBLISH"), r.describe());
        assertTrue(r.err().startsWith("error: CHECKSUM_MISMATCH: "), r.describe());
        assertTrue(r.err().contains("0x0d57e863"), "names the trailer value: " + r.describe());
        assertTrue(r.err().contains("frame 1 at input offset 30"), r.describe());
    }

    @Test
    void badMagicIsAProtocolError() {
        Result r = CliTester.run("decode", "4e" + compact(PING).substring(2));
        assertEquals(ExitCodes.BAD_FRAME, r.exitCode(), r.describe());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("error: PROTOCOL_ERROR: bad magic 0x4e43"), r.describe());
    }

    @Test
    void truncatedFrameAtEndOfInputIsAProtocolError() {
        String cut = compact(PUBLISH).substring(0, compact(PUBLISH).length() - 4);
        Result r = CliTester.run("decode", compact(PING), cut);
        assertEquals(ExitCodes.BAD_FRAME, r.exitCode(), r.describe());
        assertTrue(r.out().contains("PING (0x03)"), r.describe());
        assertTrue(r.err().startsWith("error: PROTOCOL_ERROR: stream ended inside a frame (43 bytes"), r.describe());
    }

    @Test
    void truncatedBinaryStdinIsAProtocolError() {
        byte[] cut = Arrays.copyOf(bytes(HELLO), 10);
        Result r = CliTester.runWithStdin(cut, "decode", "--file", "-");
        assertEquals(ExitCodes.BAD_FRAME, r.exitCode(), r.describe());
        assertTrue(r.err().startsWith("error: PROTOCOL_ERROR: "), r.describe());
    }

    @Test
    void frameOverMaxFrameIsFrameTooLarge() {
        Result r = CliTester.run("decode", "--max-frame", "44", compact(PUBLISH));
        assertEquals(ExitCodes.BAD_FRAME, r.exitCode(), r.describe());
        assertTrue(r.err().startsWith("error: FRAME_TOO_LARGE: frame of 45 bytes"), r.describe());
        decodeOk("--max-frame", "45", compact(PUBLISH));
    }

    @Test
    void maxFrameBelowAnEmptyFrameIsAUsageError() {
        Result r = CliTester.run("decode", "--max-frame", "21", compact(PING));
        assertEquals(ExitCodes.USAGE, r.exitCode(), r.describe());
        assertTrue(r.err().contains("--max-frame must be at least 22"), r.describe());
    }

    @Test
    void invalidHexIsAUsageError() {
        Result r = CliTester.run("decode", "4d43zz");
        assertEquals(ExitCodes.USAGE, r.exitCode(), r.describe());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("error: invalid hex: 'z' at position 5"), r.describe());
    }

    @Test
    void oddHexDigitCountIsAUsageError() {
        Result r = CliTester.run("decode", compact(PING) + "0");
        assertEquals(ExitCodes.USAGE, r.exitCode(), r.describe());
        assertTrue(r.err().contains("odd number of hex digits"), r.describe());
    }

    @Test
    void binaryOnHexStdinSuggestsFileDash() {
        Result r = CliTester.runWithStdin(bytes(PING), "decode");
        assertEquals(ExitCodes.USAGE, r.exitCode(), r.describe());
        assertTrue(r.err().contains("use --file -"), r.describe());
    }

    @Test
    void argumentsWithoutHexDigitsAreAUsageError() {
        Result r = CliTester.run("decode", " : ");
        assertEquals(ExitCodes.USAGE, r.exitCode(), r.describe());
        assertTrue(r.err().contains("no hex digits"), r.describe());
    }

    @Test
    void hexArgumentsAndFileTogetherAreAUsageError() {
        Result r = CliTester.run("decode", "--file", "x.bin", compact(PING));
        assertEquals(ExitCodes.USAGE, r.exitCode(), r.describe());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Result r = CliTester.run("decode", "--jsn", compact(PING));
        assertEquals(ExitCodes.USAGE, r.exitCode(), r.describe());
        assertTrue(r.err().contains("Try 'mcp decode --help'"), r.describe());
    }

    @Test
    void missingFileIsAnIoError(@TempDir Path dir) {
        Result r = CliTester.run("decode", "--file", dir.resolve("nope.bin").toString());
        assertEquals(ExitCodes.IO_ERROR, r.exitCode(), r.describe());
        assertTrue(r.err().startsWith("error: no such file: "), r.describe());
    }

    @Test
    void helpDocumentsExitCodes() {
        Result r = CliTester.run("decode", "--help");
        assertEquals(ExitCodes.OK, r.exitCode(), r.describe());
        assertTrue(r.out().contains("Exit codes:"), r.out());
        assertTrue(r.out().contains("bad frame"), r.out());
        assertTrue(r.out().contains("usage error"), r.out());
    }
}
