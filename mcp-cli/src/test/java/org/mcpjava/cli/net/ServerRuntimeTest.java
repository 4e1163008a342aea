package org.mcpjava.cli.net;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Payload;
import org.mcpjava.observability.config.Config;
import org.mcpjava.observability.config.ConfigLoader;
import org.mcpjava.observability.config.ServerKeys;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code mcp server} assembles from its configuration: the MCP port, the admin port, metrics, tracing. */
class ServerRuntimeTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @AfterEach
    void restoreLogging() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        new ContextInitializer(ctx).autoConfig();
        System.clearProperty("otel.traces.exporter");
    }

    private static HttpResponse<String> get(ServerRuntime r, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.admin().address().getPort() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesMcpAndTheAdminPortWithMetricsAndTracing() throws Exception {
        System.setProperty("otel.traces.exporter", "none"); // the SDK runs; nothing leaves the process
        Config c = ConfigLoader.of(ServerKeys.ALL)
                .set("server.host=127.0.0.1", "test").set("server.port=0", "test").set("admin.port=0", "test")
                .set("admin.token=tok", "test").set("store.type=memory", "test").set("tracing.enabled=true", "test")
                .set("logging.level=warn", "test")
                .load();
        try (ServerRuntime r = ServerRuntime.start(c)) {
            assertTrue(r.describe().matches("mcp server listening on 127\\.0\\.0\\.1:\\d+ \\(\\w+, store memory, "
                    + "admin http://127\\.0\\.0\\.1:\\d+, tracing\\)"), r.describe());
            assertEquals(200, get(r, "/health/ready", null).statusCode());
            try (McpClient client = McpClient.builder().address("127.0.0.1", r.server().address().getPort())
                    .callTimeout(Duration.ofSeconds(10)).connect()) {
                McpClient.await(client.call(0xFF01, Payload.utf8("hi"))).release();
            }
            assertEquals(401, get(r, "/metrics", null).statusCode());
            String metrics = get(r, "/metrics", "tok").body();
            assertTrue(metrics.contains("mcp_requests_seconds_count{code=\"OK\",opcode=\"0xFF01\"} 1"), metrics);
            assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics by default");
        }
    }

    @Test
    void metricsAndAdminCanBeSwitchedOff() throws Exception {
        Config c = ConfigLoader.of(ServerKeys.ALL)
                .set("server.host=127.0.0.1", "test").set("server.port=0", "test").set("admin.enabled=false", "test")
                .set("metrics.enabled=false", "test").set("store.type=memory", "test").set("logging.format=plain", "test")
                .set("logging.level=warn", "test")
                .load();
        try (ServerRuntime r = ServerRuntime.start(c)) {
            assertEquals(null, r.admin());
            assertTrue(r.describe().endsWith("store memory)"), r.describe());
        }
    }
}
