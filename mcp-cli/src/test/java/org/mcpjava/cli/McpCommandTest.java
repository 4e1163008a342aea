package org.mcpjava.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class McpCommandTest {

    @Test
    void versionNamesToolProtocolAndJava() {
        CliTester.Result r = CliTester.run("--version");
        assertEquals(ExitCodes.OK, r.exitCode(), r.describe());
        assertTrue(r.out().startsWith("mcp "), r.describe());
        assertTrue(r.out().contains("MCP/1"), r.describe());
        assertTrue(r.out().contains("Java "), r.describe());
        assertTrue(!r.out().contains("${"), "version resource was filtered: " + r.out());
    }

    @Test
    void helpListsSubcommandsAndExitCodes() {
        CliTester.Result r = CliTester.run("--help");
        assertEquals(ExitCodes.OK, r.exitCode(), r.describe());
        assertTrue(r.out().contains("decode"), r.describe());
        assertTrue(r.out().contains("Exit codes:"), r.describe());
    }

    @Test
    void helpSubcommandShowsDecodeHelp() {
        CliTester.Result r = CliTester.run("help", "decode");
        assertEquals(ExitCodes.OK, r.exitCode(), r.describe());
        assertTrue(r.out().contains("--max-frame"), r.describe());
        assertTrue(r.out().contains("bad frame"), r.describe());
    }

    @Test
    void noSubcommandIsAUsageError() {
        CliTester.Result r = CliTester.run();
        assertEquals(ExitCodes.USAGE, r.exitCode(), r.describe());
        assertTrue(r.err().contains("Usage: mcp"), r.describe());
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        CliTester.Result r = CliTester.run("decod");
        assertEquals(ExitCodes.USAGE, r.exitCode(), r.describe());
        assertTrue(r.err().startsWith("error: "), r.describe());
        assertTrue(r.err().contains("decode"), "suggests the closest command: " + r.describe());
    }
}
