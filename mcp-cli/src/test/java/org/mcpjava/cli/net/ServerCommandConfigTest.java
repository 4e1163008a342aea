package org.mcpjava.cli.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.cli.McpCommand;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mcp server --print-config} and the errors for bad settings, in-process with a chosen environment. */
class ServerCommandConfigTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
        String describe() {
            return "exit " + exit + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = McpCommand.newCommandLine(new ByteArrayInputStream(new byte[0]));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        ServerCommand server = cmd.getSubcommands().get("server").getCommand();
        server.env = env;
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void printsTheEffectiveConfigurationWithSources() throws Exception {
        Path base = dir.resolve("mcp.yaml");
        Files.writeString(base, "server:\n  port: 1111\n  name: base\nadmin:\n  token: hush\n");
        Files.writeString(dir.resolve("mcp-prod.yaml"), "server:\n  port: 2222\n  keepalive: 45s\n");
        Run r = run(Map.of("MCP_PROFILE", "prod", "MCP_SERVER_NAME", "from-env", "MCP_TOKEN", "legacy"),
                "server", "--config", base.toString(), "--print-config", "--drain-timeout", "5s", "--no-tracing");
        assertEquals(0, r.exit, r.describe());
        assertTrue(r.out.contains("# profile: prod"), r.describe());
        assertTrue(r.out.matches("(?s).*port: 2222 +# profile file mcp-prod.yaml\n.*"), r.describe());
        assertTrue(r.out.matches("(?s).*name: \"from-env\" +# env MCP_SERVER_NAME\n.*"), r.describe());
        assertTrue(r.out.matches("(?s).*keepalive: \"45s\" +# profile file mcp-prod.yaml\n.*"), r.describe());
        assertTrue(r.out.matches("(?s).*drain-timeout: \"5s\" +# flag --drain-timeout\n.*"), r.describe());
        assertTrue(r.out.matches("(?s).*tokens: \\[\"\\*\\*\\*\\*\"\\] +# env MCP_TOKEN\n.*"), r.describe());
        assertTrue(r.out.matches("(?s).*token: \"\\*\\*\\*\\*\" +# file mcp.yaml\n.*"), r.describe());
        assertTrue(r.out.matches("(?s).*enabled: false +# flag --no-tracing\n.*"), r.describe());
        assertTrue(r.out.matches("(?s).*format: \"json\" +# default\n.*"), r.describe());
        assertTrue(!r.out.contains("hush") && !r.out.contains("legacy"), "secrets are masked");
        assertEquals("", r.err, r.describe());
    }

    @Test
    void flagsBeatTheEnvironment() {
        Run r = run(Map.of("MCP_SERVER_PORT", "3333", "MCP_LOGGING_FORMAT", "plain"),
                "server", "--print-config", "--port", "4444");
        assertEquals(0, r.exit, r.describe());
        assertTrue(r.out.matches("(?s).*port: 4444 +# flag --port\n.*"), r.describe());
        assertTrue(r.out.matches("(?s).*format: \"plain\" +# env MCP_LOGGING_FORMAT\n.*"), r.describe());
    }

    @Test
    void invalidSettingsFailBeforeAnythingStarts() {
        Run r = run(Map.of(), "server", "--port", "70000");
        assertEquals(1, r.exit, r.describe());
        assertEquals("error: invalid configuration: server.port = \"70000\" (flag --port): must be 0-65535\n", r.err);

        r = run(Map.of("MCP_SERVER_KEEPALIVE", "soon"), "server");
        assertEquals(1, r.exit, r.describe());
        assertTrue(r.err.contains("server.keepalive = \"soon\" (env MCP_SERVER_KEEPALIVE): not a duration"), r.describe());

        r = run(Map.of(), "server", "--set", "admin.prot=1");
        assertEquals(1, r.exit, r.describe());
        assertTrue(r.err.contains("unknown configuration key admin.prot (flag --set); did you mean admin.port?"), r.describe());

        r = run(Map.of(), "server", "--config", dir.resolve("absent.yaml").toString());
        assertEquals(1, r.exit, r.describe());
        assertTrue(r.err.contains("absent.yaml") && r.err.contains("does not exist"), r.describe());

        r = run(Map.of(), "server", "--tls-cert", "cert.pem");
        assertEquals(1, r.exit, r.describe());
        assertTrue(r.err.contains("tls.cert and tls.key go together"), r.describe());
    }
}
