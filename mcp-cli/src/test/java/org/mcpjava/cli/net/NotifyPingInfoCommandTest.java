package org.mcpjava.cli.net;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.cli.CliTester;
import org.mcpjava.cli.ExitCodes;
import org.mcpjava.core.Payload;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mcp notify}, {@code mcp ping} and {@code mcp info} against a real server. */
class NotifyPingInfoCommandTest {
    static final int NOTE = 0x0700;

    private final List<String> notified = new CopyOnWriteArrayList<>();
    private final CountDownLatch notifiedLatch = new CountDownLatch(1);
    private TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(b -> b.name("cli-test-server").handle(NOTE, request -> {
            notified.add(request.isNotify() + " " + request.payload().toUtf8());
            notifiedLatch.countDown();
            return CompletableFuture.completedFuture(Payload.empty());
        }));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void notifyExitsZeroAndTheServerHandlerSeesIt() throws Exception {
        CliTester.Result r = server.run("notify", "0x0700", "hello server");
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        assertEquals("sent NOTIFY 0x0700\n", r.out(), r::describe);
        assertTrue(notifiedLatch.await(TestServer.WAIT.toSeconds(), TimeUnit.SECONDS), "the handler never saw the NOTIFY");
        assertEquals(List.of("true hello server"), notified);
    }

    @Test
    void notifyToANonListeningPortExitsThree() throws Exception {
        CliTester.Result r = CliTester.run(TestServer.withAddress(TestServer.deadPort(), "notify", "0x0700", "x"));
        assertEquals(ExitCodes.IO_ERROR, r.exitCode(), r::describe);
        assertTrue(r.err().startsWith("error: UNAVAILABLE"), r::describe);
    }

    @Test
    void pingPrintsOneLinePerPongAndASummary() {
        CliTester.Result r = server.run("ping", "-c", "3", "-i", "1ms");
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        String[] lines = r.out().split("\n");
        assertEquals(5, lines.length, r::describe);
        assertEquals("PING 127.0.0.1:" + server.port() + " (server cli-test-server)", lines[0], r::describe);
        for (int i = 1; i <= 3; i++) {
            assertTrue(lines[i].matches("pong " + i + ": rtt=\\d+\\.\\d{3} ms"), r::describe);
        }
        Matcher m = Pattern.compile("rtt min/avg/max = (\\d+\\.\\d{3})/(\\d+\\.\\d{3})/(\\d+\\.\\d{3}) ms \\(3 pings\\)")
                .matcher(lines[4]);
        assertTrue(m.matches(), r::describe);
        double min = Double.parseDouble(m.group(1));
        double avg = Double.parseDouble(m.group(2));
        double max = Double.parseDouble(m.group(3));
        assertTrue(min <= avg && avg <= max, r::describe);
    }

    @Test
    void pingToANonListeningPortExitsThree() throws Exception {
        CliTester.Result r = CliTester.run(TestServer.withAddress(TestServer.deadPort(), "ping", "-c", "1"));
        assertEquals(ExitCodes.IO_ERROR, r.exitCode(), r::describe);
        assertEquals("", r.out(), r::describe);
        assertTrue(r.err().startsWith("error: UNAVAILABLE"), r::describe);
    }

    @Test
    void infoPrintsTheServersJson() {
        CliTester.Result r = server.run("info");
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        String json = r.out().trim();
        assertTrue(json.startsWith("{") && json.endsWith("}"), r::describe);
        assertTrue(json.contains("\"server\":\"cli-test-server\""), r::describe);
        assertTrue(Pattern.compile("\"version\":\"[^\"]+\"").matcher(json).find(), r::describe);
        assertTrue(Pattern.compile("\"sessionId\":\"[0-9a-f]+\"").matcher(json).find(), r::describe);
    }
}
