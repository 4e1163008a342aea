package org.mcpjava.cli.net;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.cli.CliTester;
import org.mcpjava.cli.ExitCodes;
import org.mcpjava.core.Payload;
import org.mcpjava.wire.Codecs;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mcp call} against a real server: output and exit codes. */
class CallCommandTest {
    /** Answers with the codec name of the request, then its payload. */
    static final int CODEC_ECHO = 0x0600;

    private final List<Integer> codecsSeen = new CopyOnWriteArrayList<>();
    private TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(b -> b.handle(CODEC_ECHO, request -> {
            codecsSeen.add(request.payload().codec());
            return CompletableFuture.completedFuture(
                    Payload.of(request.payload().codec(), Unpooled.wrappedBuffer(request.payload().toBytes())));
        }));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void echoPrintsTheReplyAndExitsZero() {
        CliTester.Result r = server.run("call", "ECHO", "hello");
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        assertEquals("hello\n", r.out(), r::describe);
        assertEquals("", r.err(), r::describe);
    }

    @Test
    void verbosePrintsCodecAndSizeBeforeTheReply() {
        CliTester.Result r = server.run("call", "0xFF01", "--data", "abc", "-v");
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        String[] lines = r.out().split("\n");
        assertEquals(2, lines.length, r::describe);
        assertTrue(lines[0].matches("# raw, 3 bytes, [0-9.]+ ms"), r::describe);
        assertEquals("abc", lines[1], r::describe);
    }

    @Test
    void binaryRepliesArePrintedAsHex() {
        CliTester.Result r = server.run("call", "ECHO", "--hex", "00ff10");
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        assertEquals("00ff10\n", r.out(), r::describe);
    }

    @Test
    void unknownOpcodeExitsFourWithNotFoundOnStderr() {
        CliTester.Result r = server.run("call", "0x0777", "x");
        assertEquals(ExitCodes.REMOTE_ERROR, r.exitCode(), r::describe);
        assertEquals("", r.out(), r::describe);
        assertTrue(r.err().startsWith("error: "), r::describe);
        assertTrue(r.err().contains("NOT_FOUND"), r::describe);
    }

    @Test
    void deadlineAgainstAHandlerThatNeverAnswersExitsFive() {
        CliTester.Result r = server.run("call", Integer.toString(TestServer.STUCK), "wait", "--timeout", "200ms");
        assertEquals(ExitCodes.TIMEOUT, r.exitCode(), r::describe);
        assertEquals("", r.out(), r::describe);
        assertTrue(r.err().contains("DEADLINE_EXCEEDED"), r::describe);
        assertEquals(1, server.stuckRequests.size(), "the request reached the handler");
    }

    @Test
    void connectionRefusedExitsThreeWithTheAddress() throws Exception {
        int port = TestServer.deadPort();
        CliTester.Result r = CliTester.run(TestServer.withAddress(port, "call", "ECHO", "hello"));
        assertEquals(ExitCodes.IO_ERROR, r.exitCode(), r::describe);
        assertEquals("", r.out(), r::describe);
        assertTrue(r.err().startsWith("error: "), r::describe);
        assertTrue(r.err().contains("UNAVAILABLE"), r::describe);
        assertTrue(r.err().contains("127.0.0.1:" + port), r::describe);
        assertFalse(r.err().contains("Exception"), "one clear line, no stack trace:\n" + r.describe());
    }

    @Test
    void codecOptionTagsThePayloadAndTheReplyRoundTrips() {
        CliTester.Result r = server.run("call", Integer.toString(CODEC_ECHO), "{\"a\":1}", "--codec", "json", "-v");
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        assertEquals(List.of(Codecs.JSON), codecsSeen);
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("# json, 7 bytes, "), r::describe);
        assertEquals("{\"a\":1}", lines[1], r::describe);
    }

    @Test
    void numericCodecIdIsAccepted() {
        CliTester.Result r = server.run("call", Integer.toString(CODEC_ECHO), "x", "--codec", "1");
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        assertEquals(List.of(Codecs.JSON), codecsSeen);
        assertEquals("x\n", r.out());
    }

    @Test
    void codecTheServerDidNotAnnounceExitsFourWithUnsupportedCodec() {
        CliTester.Result r = server.run("call", Integer.toString(CODEC_ECHO), "x", "--codec", "200");
        assertEquals(ExitCodes.REMOTE_ERROR, r.exitCode(), r::describe);
        assertTrue(r.err().contains("UNSUPPORTED_CODEC"), r::describe);
        assertEquals(List.of(), codecsSeen, "nothing was sent");
    }

    @Test
    void unknownCodecIsAUsageError() {
        CliTester.Result r = server.run("call", "ECHO", "x", "--codec", "yaml");
        assertEquals(ExitCodes.USAGE, r.exitCode(), r::describe);
        assertTrue(r.err().contains("unknown codec 'yaml'"), r::describe);
    }

    @Test
    void badOpcodeIsAUsageError() {
        CliTester.Result r = server.run("call", "ECHOO", "x");
        assertEquals(ExitCodes.USAGE, r.exitCode(), r::describe);
        assertTrue(r.err().contains("is not an opcode"), r::describe);
    }
}
