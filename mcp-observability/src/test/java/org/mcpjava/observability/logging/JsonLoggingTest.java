package org.mcpjava.observability.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Handlers;
import org.mcpjava.core.Payload;
import org.mcpjava.observability.tracing.McpTracing;
import org.mcpjava.server.McpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's log output with real connections: every JSON line parses, and lines about a
 * connection carry its session id and remote address (and the trace id inside a traced handler).
 */
class JsonLoggingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Fails on a field written twice. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    private static final Logger APP = LoggerFactory.getLogger("com.example.OrderHandler");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @AfterEach
    void restoreTestLogging() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        new ContextInitializer(ctx).autoConfig();
    }

    private String captured() {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** Runs a traced server and a client through a handshake, a logged request and a close. */
    private String runTraffic(LogFormat format) throws Exception {
        assertTrue(LoggingSetup.configure(format, "debug", out));
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().build()).build();
        McpTracing tracing = McpTracing.create(otel);
        String sessionId;
        try (McpServer server = McpServer.builder().host("127.0.0.1").port(0).disablePubSub()
                .intercept(tracing.interceptor())
                .intercept(LogContext.interceptor())
                .handle(0x0007, Handlers.sync(r -> {
                    APP.info("placing order {}", r.payload().toUtf8());
                    return Payload.utf8("placed");
                }))
                .build().start()) {
            try (McpClient client = McpClient.builder().address("127.0.0.1", server.address().getPort())
                    .clientId("shop-1").callTimeout(WAIT).connect()) {
                sessionId = client.sessionId();
                McpClient.await(client.call(0x0007, Payload.utf8("A-17"))).release();
            }
            await().atMost(WAIT).until(() -> captured().contains("GOAWAY"));
        } finally {
            otel.close();
        }
        return sessionId;
    }

    @Test
    void jsonLinesParseAndCarryTheSessionId() throws Exception {
        String sessionId = runTraffic(LogFormat.JSON);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : captured().split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line)); // every line is one JSON object
            }
        }
        assertTrue(lines.size() >= 3, captured());
        for (JsonNode l : lines) {
            assertNotNull(l.get("@timestamp"), l.toString());
            assertNotNull(l.get("level"), l.toString());
            assertNotNull(l.get("message"), l.toString());
        }

        JsonNode established = find(lines, "established for client shop-1");
        assertEquals(sessionId, established.path("session_id").asText(), established.toString());
        assertTrue(established.path("remote").asText().contains("127.0.0.1"), established.toString());
        assertEquals("org.mcpjava.transport.internal.ServerConnection", established.path("logger_name").asText());

        JsonNode goaway = find(lines, "peer sent GOAWAY");
        assertEquals(sessionId, goaway.path("session_id").asText(), goaway.toString());

        // Every server-side line logged with its connection carries the session (once established) and remote.
        for (JsonNode l : lines) {
            if (l.path("logger_name").asText().startsWith("org.mcpjava.transport.internal.Server")
                    && l.path("message").asText().contains(sessionId.substring(0, 8))) {
                assertEquals(sessionId, l.path("session_id").asText(), l.toString());
                assertFalse(l.path("remote").asText().isEmpty(), l.toString());
            }
        }

        // The application's own line inside a traced handler: session, remote and trace.
        JsonNode app = find(lines, "placing order A-17");
        assertEquals(sessionId, app.path("session_id").asText(), app.toString());
        assertTrue(app.path("remote").asText().contains("127.0.0.1"), app.toString());
        assertEquals(32, app.path("trace_id").asText().length(), app.toString());
        assertEquals(16, app.path("span_id").asText().length(), app.toString());
    }

    @Test
    void plainLinesShowTheConnectionFields() throws Exception {
        String sessionId = runTraffic(LogFormat.PLAIN);
        String established = captured().lines().filter(l -> l.contains("established for client shop-1"))
                .findFirst().orElseThrow(() -> new AssertionError(captured()));
        assertTrue(established.contains("ServerConnection [session=" + sessionId.substring(0, 8)), established);
        assertTrue(established.contains("remote=/127.0.0.1:"), established);
        assertTrue(established.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} DEBUG .*"), established);
        assertFalse(captured().contains("{\"@timestamp\""), "no JSON in plain mode");
    }

    @Test
    void anOperatorsLogbackFileWins() {
        System.setProperty(LoggingSetup.LOGBACK_CONFIG_PROPERTY, "custom.xml");
        try {
            assertFalse(LoggingSetup.configure(LogFormat.JSON, "info"));
        } finally {
            System.clearProperty(LoggingSetup.LOGBACK_CONFIG_PROPERTY);
        }
    }

    private static JsonNode find(List<JsonNode> lines, String text) {
        return lines.stream().filter(l -> l.path("message").asText().contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with \"" + text + "\" in " + lines));
    }
}
