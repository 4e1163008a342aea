package org.mcpjava.e2e;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the real {@code bin/mcp} launcher (and so the shaded {@code mcp.jar}) as a subprocess on the
 * spec's test vectors and checks output and exit codes (0 ok, 1 usage, 2 bad frame).
 *
 * <p>The JVM the tests run on is passed as {@code JAVA_HOME}, and {@code MCP_JAVA_OPTS} turns on
 * Netty's paranoid leak detection in the tool.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "bin/mcp is a bash script")
class LauncherE2ETest {
    /** The spec's test vectors (MCP-SPEC section 10). */
    private static final String PING = "4d4301030000000000000000000000000008000000000000002a60c325bc";
    private static final String REQUEST = "4d4301100000ff0100000001000700000002040004000003e86869fd11fdeb";
    private static final String PUBLISH = "4d4301200101000000000007000d0000000a01000a73656e736f72732f7431"
            + "7b2276223a32312e357d0d57e862";
    private static final String HELLO = "4d43010100000000000000000015000000002000056465762d3121000400007530"
            + "240003010300e6b1755d";

    private static Path root;
    private static Path launcher;

    @TempDir
    Path scratch;

    @BeforeAll
    static void locateLauncher() {
        root = RepoRoot.find();
        launcher = root.resolve("bin").resolve("mcp");
        Path jar = root.resolve("mcp-cli").resolve("target").resolve("mcp.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: these tests run in `./mvnw verify`, after the"
                + " reactor packages mcp-cli (or build it first: ./mvnw install -pl mcp-cli)");
        assertTrue(Files.isExecutable(launcher), launcher + " must be executable");
    }

    private LauncherRun mcp() {
        return new LauncherRun(launcher, scratch)
                .env("JAVA_HOME", System.getProperty("java.home"))
                .env("MCP_JAVA_OPTS", "-Dio.netty.leakDetection.level="
                        + System.getProperty("io.netty.leakDetection.level", "paranoid"));
    }

    private static void assertOk(LauncherRun.Result r) {
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals("", r.err(), r.describe());
    }

    @Test
    void publishVectorDecodes() throws Exception {
        LauncherRun.Result r = mcp().run("decode", PUBLISH);
        assertOk(r);
        assertTrue(r.out().startsWith("frame 0 at offset 0\n  type      PUBLISH (0x20)\n"), r.describe());
        assertTrue(r.out().contains("  stream    7\n"), r.describe());
        assertTrue(r.out().contains("  checksum  0x0d57e862\n"), r.describe());
        assertTrue(r.out().contains("    0x01 TOPIC                   \"sensors/t1\"\n"), r.describe());
        assertTrue(r.out().contains("  text      {\"v\":21.5}\n"), r.describe());
    }

    @Test
    void fourVectorsAsJsonLines() throws Exception {
        LauncherRun.Result r = mcp().run("decode", "--json", PING, REQUEST, PUBLISH, HELLO);
        assertOk(r);
        String[] lines = r.out().split("\n");
        assertEquals(4, lines.length, r.describe());
        String[] types = {"PING", "REQUEST", "PUBLISH", "HELLO"};
        for (int i = 0; i < 4; i++) {
            assertTrue(lines[i].startsWith("{\"index\":" + i + ","), lines[i]);
            assertTrue(lines[i].contains("\"type\":\"" + types[i] + "\""), lines[i]);
            assertTrue(lines[i].endsWith("}"), lines[i]);
        }
        assertTrue(lines[1].contains("\"opcodeName\":\"ECHO\""), lines[1]);
    }

    @Test
    void binaryStandardInput() throws Exception {
        Path bin = scratch.resolve("frames.bin");
        Files.write(bin, HexFormat.of().parseHex(HELLO + PING));
        LauncherRun.Result r = mcp().stdin(bin).run("decode", "--file", "-");
        assertOk(r);
        assertTrue(r.out().contains("  type      HELLO (0x01)\n"), r.describe());
        assertTrue(r.out().contains("    0x24 CODECS                  json, msgpack, raw\n"), r.describe());
        assertTrue(r.out().contains("frame 1 at offset 43\n"), r.describe());
    }

    @Test
    void corruptChecksumExits2WithTheSpecErrorName() throws Exception {
        String corrupt = PING.substring(0, PING.length() - 2) + "bd";
        LauncherRun.Result r = mcp().run("decode", REQUEST + corrupt);
        assertEquals(2, r.exitCode(), r.describe());
        assertTrue(r.out().contains("REQUEST (0x10)"), "the good frame before it is printed: " + r.describe());
        assertTrue(r.err().startsWith("error: CHECKSUM_MISMATCH: "), r.describe());
    }

    @Test
    void truncatedFrameExits2WithProtocolError() throws Exception {
        LauncherRun.Result r = mcp().run("decode", PING.substring(0, 20));
        assertEquals(2, r.exitCode(), r.describe());
        assertTrue(r.err().startsWith("error: PROTOCOL_ERROR: "), r.describe());
    }

    @Test
    void invalidHexExits1() throws Exception {
        LauncherRun.Result r = mcp().run("decode", "4d43xyz");
        assertEquals(1, r.exitCode(), r.describe());
        assertTrue(r.err().startsWith("error: invalid hex: "), r.describe());
    }

    @Test
    void versionNamesTheTool() throws Exception {
        LauncherRun.Result r = mcp().run("--version");
        assertOk(r);
        assertTrue(r.out().startsWith("mcp 0."), r.describe());
    }

    @Test
    void worksThroughASymlink() throws Exception {
        Path link = Files.createSymbolicLink(scratch.resolve("mcp-link"), launcher);
        LauncherRun.Result r;
        try {
            r = new LauncherRun(link, scratch).env("JAVA_HOME", System.getProperty("java.home")).run("decode", PING);
        } finally {
            Files.delete(link); // ours to remove: @TempDir warns about links pointing out of it
        }
        assertOk(r);
        assertTrue(r.out().contains("PING (0x03)"), r.describe());
    }

    @Test
    void passesMcpJavaOptsToTheJvm() throws Exception {
        LauncherRun.Result r = mcp().env("MCP_JAVA_OPTS", "-Xmx64m -XX:+NoSuchMcpTestOption").run("--version");
        assertEquals(1, r.exitCode(), r.describe());
        assertTrue(r.err().contains("NoSuchMcpTestOption"), r.describe());
    }

    @Test
    void honoursJavaHome() throws Exception {
        LauncherRun.Result r = mcp().env("JAVA_HOME", scratch.resolve("no-jdk").toString()).run("--version");
        assertEquals(1, r.exitCode(), r.describe());
        assertTrue(r.err().contains("no java found"), r.describe());
    }

    @Test
    void missingJarExplainsHowToBuild() throws IOException, InterruptedException {
        Path bin = Files.createDirectories(scratch.resolve("checkout").resolve("bin"));
        Path copy = Files.copy(launcher, bin.resolve("mcp"));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        LauncherRun.Result r = new LauncherRun(copy, scratch).run("decode", PING);
        assertEquals(1, r.exitCode(), r.describe());
        assertTrue(r.err().contains("./mvnw -q install -DskipTests"), r.describe());
        assertTrue(r.err().contains(scratch.resolve("checkout").toRealPath().toString()), "names the checkout: " + r.describe());
    }
}
