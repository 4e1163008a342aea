package org.mcpjava.cli.net;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mcpjava.cli.CliTester;
import org.mcpjava.cli.ExitCodes;
import org.mcpjava.cli.format.MiniJson;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mcp bench} (rpc mode) against a real server, with a small request count and no warm-up.
 * The timeouts only keep a hanging bench from hanging the build; nothing is timed.
 */
@Timeout(30)
class BenchCommandTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static long number(Map<String, Object> json, String key) {
        return ((Number) json.get(key)).longValue();
    }

    @Test
    void echoBenchPrintsJsonWithTheRequestsAndNoErrors() {
        CliTester.Result r = server.run("bench", "-c", "1", "-n", "4", "--count", "200", "-w", "0s", "--json");
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        Map<String, Object> json = MiniJson.object(r.out().trim());
        assertTrue(number(json, "requests") >= 200, r::describe);
        assertEquals(0, number(json, "errors"), r::describe);
        assertEquals(1, number(json, "connections"), r::describe);
        assertEquals(4, number(json, "inFlight"), r::describe);
        assertEquals(0xFF01, number(json, "opcode"), r::describe);
        assertTrue(!json.containsKey("firstError"), r::describe);
        assertTrue(((Number) json.get("p50Us")).doubleValue() > 0, r::describe);
    }

    @Test
    void textReportWithTwoConnections() {
        CliTester.Result r = server.run("bench", "-c", "2", "-n", "2", "--count", "100", "-w", "0s", "-s", "16",
                "--no-progress");
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        assertTrue(r.out().startsWith("mcp bench: 127.0.0.1:" + server.port() + ", 2 connection(s) x 2 in flight, 16 B payload"),
                r::describe);
        assertTrue(r.out().matches("(?s).*requests   [\\d,]+ in [\\d.]+ s, errors 0\n.*"), r::describe);
        assertTrue(r.out().contains("throughput "), r::describe);
        assertTrue(r.out().contains("latency    p50 "), r::describe);
    }

    @Test
    void benchOfAnUnknownOpcodeReportsErrorsAndExitsFour() {
        CliTester.Result r = server.run("bench", "--opcode", "0x0777", "-n", "2", "--count", "50", "-w", "0s", "--json");
        assertEquals(ExitCodes.REMOTE_ERROR, r.exitCode(), r::describe);
        Map<String, Object> json = MiniJson.object(r.out().trim());
        assertTrue(number(json, "errors") > 0, r::describe);
        assertEquals(0, number(json, "requests"), r::describe);
        assertTrue(String.valueOf(json.get("firstError")).contains("NOT_FOUND"), r::describe);
    }

    @Test
    void benchAgainstANonListeningPortExitsThree() throws Exception {
        CliTester.Result r = CliTester.run(TestServer.withAddress(TestServer.deadPort(), "bench", "--count", "10", "-w", "0s"));
        assertEquals(ExitCodes.IO_ERROR, r.exitCode(), r::describe);
        assertTrue(r.err().startsWith("error: UNAVAILABLE"), r::describe);
    }

    @Test
    void badModeAndCountsAreUsageErrors() {
        CliTester.Result mode = server.run("bench", "--mode", "fast");
        assertEquals(ExitCodes.USAGE, mode.exitCode(), mode::describe);
        CliTester.Result conns = server.run("bench", "-c", "0");
        assertEquals(ExitCodes.USAGE, conns.exitCode(), conns::describe);
    }
}
