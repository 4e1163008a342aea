package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the independent MCP/1 conformance checker ({@code conformance/mcp_conformance.py}, written
 * from the specification alone, Python standard library only) against the real {@code bin/mcp
 * server} process: once without tokens (a 1 s handshake timeout so that check is quick) and once
 * with two tokens (default timeouts). Each run ends with the checker's GOAWAY check, which
 * SIGTERMs the server. A missing python3 fails the test: it is not skipped.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "bin/mcp is a bash script")
class ConformanceE2ETest {
    /** The checker's own read timeouts make each check fail rather than hang; this bounds the whole run. */
    private static final Duration CHECKER_TIMEOUT = Duration.ofMinutes(5);

    private static Path launcher;
    private static Path checker;
    private static Path python;

    @TempDir
    Path scratch;

    private final List<ServerProcess> servers = new ArrayList<>();

    @BeforeAll
    static void locate() {
        Path root = RepoRoot.find();
        launcher = root.resolve("bin").resolve("mcp");
        checker = root.resolve("conformance").resolve("mcp_conformance.py");
        Path jar = root.resolve("mcp-cli").resolve("target").resolve("mcp.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: these tests run in `./mvnw verify`, after the"
                + " reactor packages mcp-cli");
        assertTrue(Files.isRegularFile(checker), checker + " is missing");
        python = findOnPath("python3");
        if (python == null) {
            fail("python3 is not on PATH (" + System.getenv("PATH") + "): the MCP/1 conformance checker "
                    + checker + " needs it. Install Python 3 (e.g. apt-get install -y python3; .ci/run does).");
        }
    }

    private static Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    @AfterEach
    void stopServers() throws InterruptedException {
        for (ServerProcess s : servers) {
            s.close();
        }
    }

    private ServerProcess server(String name, String... args) throws IOException {
        Map<String, String> env = Map.of(
                "JAVA_HOME", System.getProperty("java.home"),
                "MCP_JAVA_OPTS", "-Dio.netty.leakDetection.level="
                        + System.getProperty("io.netty.leakDetection.level", "paranoid"));
        List<String> all = new ArrayList<>(List.of("--store", "memory", "--no-admin", "--log-format", "plain"));
        all.addAll(List.of(args));
        ServerProcess s = ServerProcess.start(launcher, scratch, name, env, all.toArray(String[]::new));
        servers.add(s);
        return s;
    }

    /** What one checker run printed, and its exit code. */
    private record Run(int exitCode, String out) {
        Set<String> skipped() {
            Set<String> names = new TreeSet<>();
            for (String line : out.split("\n")) {
                if (line.startsWith("SKIP ")) {
                    names.add(line.substring(5, line.indexOf(':')));
                }
            }
            return names;
        }
    }

    private Run check(String name, ServerProcess server, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python.toString(), checker.toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(server.port()),
                "--sigterm-pid", Long.toString(server.pid())));
        command.addAll(List.of(args));
        Path out = scratch.resolve(name + ".checker.txt");
        Process p = new ProcessBuilder(command)
                .directory(scratch.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        if (!p.waitFor(CHECKER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail(command + " did not finish within " + CHECKER_TIMEOUT + ":\n" + Files.readString(out)
                    + "\n" + server.describe());
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    private static void assertConforms(Run run, ServerProcess server, Set<String> expectedSkips) throws InterruptedException {
        String context = "conformance checker output:\n" + run.out() + "\nserver:\n" + server.describe();
        assertEquals(0, run.exitCode(), () -> "the checker found failures; " + context);
        assertEquals(expectedSkips, run.skipped(), () -> "checks skipped; " + context);
        // Its last check SIGTERMed the server: it ends by itself (143 = 128 + SIGTERM, the JVM's usual
        // status after its shutdown hooks ran), with no leaked buffers.
        int exit = server.awaitExit(Duration.ofSeconds(60));
        assertTrue(exit == 0 || exit == 143, () -> "server exit code " + exit + "; " + context);
        assertFalse(server.errors().contains("LEAK:"), () -> "Netty reported a leak; " + context);
    }

    @Test
    void tokenLessServerConforms() throws Exception {
        ServerProcess server = server("plain", "--handshake-timeout", "1s");
        Run run = check("plain", server, "--handshake-timeout", "1");
        assertConforms(run, server, Set.of("auth-required", "resume-foreign-credentials"));
    }

    @Test
    void serverWithTwoTokensConforms() throws Exception {
        ServerProcess server = server("tokens", "--token", "conf-t1", "--token", "conf-t2");
        Run run = check("tokens", server, "--token", "conf-t1", "--token2", "conf-t2");
        assertConforms(run, server, Set.of("vector-hello-welcome"));
    }
}
