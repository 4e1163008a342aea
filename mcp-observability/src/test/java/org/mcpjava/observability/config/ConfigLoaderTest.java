package org.mcpjava.observability.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Precedence of the layers (defaults < file < profile < environment < flags) and the errors for bad values. */
class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    private ConfigLoader loader() {
        return ConfigLoader.of(ServerKeys.ALL);
    }

    @Test
    void defaultsWithNothingElse() {
        Config c = loader().load();
        assertEquals(19779, c.get(ServerKeys.PORT));
        assertEquals("default", c.source(ServerKeys.PORT));
        assertEquals(Duration.ofSeconds(30), c.get(ServerKeys.KEEPALIVE));
        assertEquals(Duration.ofDays(7), c.get(ServerKeys.MAX_SESSION_EXPIRY));
        assertEquals("json", c.get(ServerKeys.LOG_FORMAT));
        assertEquals(false, c.get(ServerKeys.TRACING_ENABLED));
        assertEquals("127.0.0.1", c.get(ServerKeys.ADMIN_HOST));
        assertNull(c.get(ServerKeys.ADMIN_TOKEN));
        assertEquals(List.of(), c.get(ServerKeys.TOKENS));
        assertNull(c.profile());
    }

    @Test
    void eachLayerOverridesTheOnesBelow() throws IOException {
        Path base = write("mcp.yaml", """
                server:
                  port: 1001
                  name: from-base
                  keepalive: 20s
                  max-frame: 65536
                admin:
                  port: 2001
                logging.level: warn
                """);
        write("mcp-prod.yaml", """
                server:
                  port: 1002
                  name: from-profile
                  keepalive: 15s
                """);
        Map<String, String> env = Map.of(
                "MCP_PROFILE", "prod",
                "MCP_SERVER_PORT", "1003",
                "MCP_SERVER_NAME", "from-env",
                "PATH", "/usr/bin",
                "MCP_JAVA_OPTS", "-Xmx64m");
        Config c = loader().file(base, "flag --config").env(env)
                .flag(ServerKeys.PORT, "1004", "--port")
                .load();
        // port is set by every layer: the flag wins.
        assertEquals(1004, c.get(ServerKeys.PORT));
        assertEquals("flag --port", c.source(ServerKeys.PORT));
        // name: file, profile, env -> env.
        assertEquals("from-env", c.get(ServerKeys.NAME));
        assertEquals("env MCP_SERVER_NAME", c.source(ServerKeys.NAME));
        // keepalive: file, profile -> profile.
        assertEquals(Duration.ofSeconds(15), c.get(ServerKeys.KEEPALIVE));
        assertEquals("profile file mcp-prod.yaml", c.source(ServerKeys.KEEPALIVE));
        // max-frame and admin.port: the base file only; the dotted form works too.
        assertEquals(65536, c.get(ServerKeys.MAX_FRAME));
        assertEquals("file mcp.yaml", c.source(ServerKeys.MAX_FRAME));
        assertEquals("warn", c.get(ServerKeys.LOG_LEVEL));
        // untouched: the default.
        assertEquals(Duration.ofSeconds(10), c.get(ServerKeys.HANDSHAKE_TIMEOUT));
        assertEquals("default", c.source(ServerKeys.HANDSHAKE_TIMEOUT));
        assertEquals("prod", c.profile());
        assertEquals(List.of(base, dir.resolve("mcp-prod.yaml")), c.files());
    }

    @Test
    void aProfileFlagBeatsTheProfileVariable() throws IOException {
        Path base = write("mcp.yaml", "server: {port: 1}\n");
        write("mcp-a.yaml", "server: {port: 2}\n");
        write("mcp-b.yaml", "server: {port: 3}\n");
        Config c = loader().file(base, "flag --config").profile("b", "flag --profile")
                .env(Map.of("MCP_PROFILE", "a")).load();
        assertEquals(3, c.get(ServerKeys.PORT));
        assertEquals("b", c.profile());
    }

    @Test
    void theConfigVariableNamesTheBaseFile() throws IOException {
        Path base = write("other.yml", "store:\n  type: memory\n");
        Config c = loader().env(Map.of("MCP_CONFIG", base.toString())).load();
        assertEquals("memory", c.get(ServerKeys.STORE));
        assertEquals("file other.yml", c.source(ServerKeys.STORE));
    }

    @Test
    void listsFromYamlEnvAndFlags() throws IOException {
        Path base = write("mcp.yaml", "server:\n  tokens: [\"a,1\", b]\n");
        assertEquals(List.of("a,1", "b"), loader().file(base, "test").load().get(ServerKeys.TOKENS));
        assertEquals(List.of("x", "y"), loader().env(Map.of("MCP_SERVER_TOKENS", "x, y")).load().get(ServerKeys.TOKENS));
        assertEquals(List.of("old"), loader().envAlias("MCP_TOKEN", ServerKeys.TOKENS)
                .env(Map.of("MCP_TOKEN", "old")).load().get(ServerKeys.TOKENS));
        assertEquals(List.of("new"), loader().envAlias("MCP_TOKEN", ServerKeys.TOKENS)
                .env(Map.of("MCP_TOKEN", "old", "MCP_SERVER_TOKENS", "new")).load().get(ServerKeys.TOKENS),
                "the key's own variable beats the alias");
        assertEquals(List.of("f1", "f2"), loader().flag(ServerKeys.TOKENS, List.of("f1", "f2"), "--token")
                .env(Map.of("MCP_SERVER_TOKENS", "x")).load().get(ServerKeys.TOKENS));
    }

    @Test
    void theGenericSetFlag() {
        Config c = loader().set("server.drain-timeout=2m", "--set").set("metrics.enabled=false", "--set").load();
        assertEquals(Duration.ofMinutes(2), c.get(ServerKeys.DRAIN_TIMEOUT));
        assertEquals(false, c.get(ServerKeys.METRICS_ENABLED));
        assertEquals("flag --set", c.source(ServerKeys.DRAIN_TIMEOUT));
        ConfigException e = assertThrows(ConfigException.class, () -> loader().set("server.prot=1", "--set"));
        assertTrue(e.getMessage().contains("unknown configuration key server.prot"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean server.port?"), e.getMessage());
        assertThrows(ConfigException.class, () -> loader().set("no-equals-sign", "--set"));
    }

    // ------------------------------------------------------------ errors name the key and the value

    private static void assertError(ConfigException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "\"" + e.getMessage() + "\" should contain \"" + p + "\"");
        }
    }

    @Test
    void badValuesNameTheKeyTheValueAndTheSource() throws IOException {
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader().env(Map.of("MCP_SERVER_PORT", "70000")).load());
        assertEquals("server.port", e.key());
        assertError(e, "server.port = \"70000\"", "env MCP_SERVER_PORT", "must be 0-65535");

        Path base = write("mcp.yaml", "server:\n  keepalive: 10 parsecs\n");
        e = assertThrows(ConfigException.class, () -> loader().file(base, "test").load());
        assertError(e, "server.keepalive = \"10 parsecs\"", "file mcp.yaml", "not a duration");

        e = assertThrows(ConfigException.class, () -> loader().flag(ServerKeys.MAX_FRAME, "big", "--max-frame").load());
        assertError(e, "server.max-frame = \"big\"", "flag --max-frame", "not an integer");

        e = assertThrows(ConfigException.class, () -> loader().flag(ServerKeys.MAX_FRAME, "10", "--max-frame").load());
        assertError(e, "server.max-frame = \"10\"", ">= 22");

        e = assertThrows(ConfigException.class, () -> loader().env(Map.of("MCP_STORE_TYPE", "redis")).load());
        assertError(e, "store.type = \"redis\"", "must be one of sqlite, memory");

        e = assertThrows(ConfigException.class, () -> loader().env(Map.of("MCP_METRICS_ENABLED", "maybe")).load());
        assertError(e, "metrics.enabled = \"maybe\"", "must be true or false");

        e = assertThrows(ConfigException.class, () -> loader().env(Map.of("MCP_SERVER_DRAIN_TIMEOUT", "-5s")).load());
        assertError(e, "server.drain-timeout = \"-5s\"", "must not be negative");

        e = assertThrows(ConfigException.class, () -> loader().env(Map.of("MCP_LOGGING_FORMAT", "xml")).load());
        assertError(e, "logging.format = \"xml\"", "json, plain");
    }

    @Test
    void unknownKeysAreErrorsWithASuggestion() throws IOException {
        Path typo = write("mcp.yaml", "server:\n  max_frame: 1024\n");
        ConfigException e = assertThrows(ConfigException.class, () -> loader().file(typo, "test").load());
        assertError(e, "unknown configuration key server.max_frame", "file mcp.yaml", "did you mean server.max-frame?");

        Path section = write("s.yaml", "sever:\n  port: 1\n");
        e = assertThrows(ConfigException.class, () -> loader().file(section, "test").load());
        assertError(e, "unknown configuration key sever");

        e = assertThrows(ConfigException.class, () -> loader().env(Map.of("MCP_SERVER_PROT", "1")).load());
        assertError(e, "unknown configuration variable MCP_SERVER_PROT", "did you mean MCP_SERVER_PORT?");
    }

    @Test
    void malformedFilesAndShapes() throws IOException {
        Path yaml = write("bad.yaml", "server:\n  port: [1\n");
        assertError(assertThrows(ConfigException.class, () -> loader().file(yaml, "test").load()), "not valid YAML");

        Path dup = write("dup.yaml", "server:\n  port: 1\n  port: 2\n");
        assertError(assertThrows(ConfigException.class, () -> loader().file(dup, "test").load()), "not valid YAML",
                "port");

        Path list = write("list.yaml", "server:\n  port: [1, 2]\n");
        assertError(assertThrows(ConfigException.class, () -> loader().file(list, "test").load()),
                "server.port", "not a list");

        Path empty = write("null.yaml", "server:\n  port:\n");
        assertError(assertThrows(ConfigException.class, () -> loader().file(empty, "test").load()),
                "server.port = \"\"", "file null.yaml", "not an integer");
        Path unset = write("unset.yaml", "admin:\n  token: ~\n");
        assertNull(loader().file(unset, "test").load().get(ServerKeys.ADMIN_TOKEN), "null unsets an optional key");

        Path scalar = write("scalar.yaml", "just text\n");
        assertError(assertThrows(ConfigException.class, () -> loader().file(scalar, "test").load()), "mapping");

        assertError(assertThrows(ConfigException.class, () -> loader().file(dir.resolve("missing.yaml"), "flag --config").load()),
                "missing.yaml", "does not exist");

        Path nothing = write("empty.yaml", "");
        assertEquals(19779, loader().file(nothing, "test").load().get(ServerKeys.PORT), "an empty file sets nothing");
    }

    @Test
    void profileErrors() throws IOException {
        Path base = write("mcp.yaml", "server: {port: 1}\n");
        assertError(assertThrows(ConfigException.class,
                        () -> loader().file(base, "test").env(Map.of("MCP_PROFILE", "staging")).load()),
                "profile \"staging\"", "env MCP_PROFILE", "mcp-staging.yaml", "does not exist");
        assertError(assertThrows(ConfigException.class,
                        () -> loader().env(Map.of("MCP_PROFILE", "prod")).load()),
                "needs a base configuration file");
        assertError(assertThrows(ConfigException.class,
                        () -> loader().file(base, "test").profile("../etc", "flag --profile").load()),
                "profile \"../etc\"");
    }

    @Test
    void crossKeyChecks() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerKeys.validate(loader().env(Map.of("MCP_TLS_CERT", "/c.pem")).load()));
        assertError(e, "tls.cert and tls.key go together", "/c.pem", "env MCP_TLS_CERT");
        e = assertThrows(ConfigException.class,
                () -> ServerKeys.validate(loader().flag(ServerKeys.ADMIN_PORT, "19779", "--admin-port").load()));
        assertError(e, "admin.port = 19779", "flag --admin-port", "server.port");
        ServerKeys.validate(loader().load()); // the defaults are consistent
    }

    @Test
    void theExampleFilesInTheRepositoryAreValid() {
        Path example = Path.of("..", "ops", "config", "mcp.yaml");
        Config base = loader().file(example, "test").load();
        ServerKeys.validate(base);
        assertEquals("sqlite", base.get(ServerKeys.STORE));
        Config prod = loader().file(example, "test").env(Map.of("MCP_PROFILE", "prod")).load();
        ServerKeys.validate(prod);
        assertEquals("0.0.0.0", prod.get(ServerKeys.ADMIN_HOST));
        assertEquals(true, prod.get(ServerKeys.TRACING_ENABLED));
        assertEquals(Duration.ofSeconds(25), prod.get(ServerKeys.DRAIN_TIMEOUT));
    }

    @Test
    void thePrintedConfigurationReadsBackTheSame() throws IOException {
        Path base = write("mcp.yaml", "server:\n  port: 4242\n  tokens: [t1]\nadmin:\n  token: s3cret\n");
        Config c = loader().file(base, "test").env(Map.of("MCP_SERVER_KEEPALIVE", "1500ms")).load();
        String printed = c.render();
        assertTrue(printed.contains("port: 4242"), printed);
        assertTrue(printed.contains("# file mcp.yaml"), printed);
        assertTrue(printed.contains("# env MCP_SERVER_KEEPALIVE"), printed);
        assertTrue(printed.contains("keepalive: \"1500ms\""), printed);
        assertTrue(!printed.contains("s3cret") && !printed.contains("t1"), "secrets are masked:\n" + printed);

        Config again = loader().file(write("printed.yaml", printed), "test").load();
        for (ConfigKey<?> k : ServerKeys.ALL) {
            if (!k.isSecret()) {
                assertEquals(c.get(k), again.get(k), k.name());
            }
        }
    }
}
