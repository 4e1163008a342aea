package org.mcpjava.observability.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Connection;
import org.mcpjava.core.Handlers;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Message;
import org.mcpjava.core.Payload;
import org.mcpjava.observability.EngineObservers;
import org.mcpjava.observability.Http;
import org.mcpjava.observability.Scrape;
import org.mcpjava.observability.admin.AdminOptions;
import org.mcpjava.observability.admin.AdminServer;
import org.mcpjava.server.McpServer;
import org.mcpjava.store.sqlite.SqliteSessionStore;
import org.mcpjava.store.sqlite.SqliteStoreOptions;
import org.mcpjava.wire.ErrorCode;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real traffic over loopback (requests, an error, publishes at QoS 0/1/2 to a durable subscriber
 * on SQLite, a closed connection), then a scrape of the admin port's /metrics: every metric the
 * operations guide names is there, with the values the traffic implies.
 */
class MetricsScrapeTest {
    private static final Path DASHBOARD = Path.of("..", "ops", "grafana", "mcp-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\b(mcp|jvm|netty|process|system)_[a-z0-9_]+");
    private static final String TOKEN = "scrape-secret";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private PrometheusMeterRegistry registry;
    private McpMetrics metrics;
    private McpServer server;
    private AdminServer admin;
    private Http http;

    @BeforeEach
    void start() throws Exception {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics = McpMetrics.create(registry).bindJvm();
        SqliteSessionStore store = SqliteSessionStore.open(dir.resolve("mcp.db"),
                SqliteStoreOptions.defaults().commitListener(metrics.storeCommitListener()));
        admin = AdminServer.create(new AdminOptions("127.0.0.1", 0, TOKEN), registry);
        server = McpServer.builder().host("127.0.0.1").port(0)
                .observer(EngineObservers.compose(metrics.observer(), admin.connectionTracker()))
                .broker(BrokerOptions.builder().store(store).build())
                .handle(0x0001, Handlers.sync(r -> Payload.utf8("one")))
                .build().start();
        metrics.bindServer(server);
        admin.attach(server).start();
        http = new Http(admin.address(), TOKEN);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (admin != null) {
            admin.close();
        }
        metrics.close();
    }

    private McpClient client(String id, ClientSession session) {
        McpClient.Builder b = McpClient.builder().address("127.0.0.1", server.address().getPort())
                .clientId(id).callTimeout(WAIT);
        if (session != null) {
            b.session(session);
        }
        return b.connect();
    }

    private Scrape scrape() throws Exception {
        HttpResponse<String> r = http.get("/metrics");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
        return new Scrape(r.body());
    }

    @Test
    void scrapeAfterRealTrafficCarriesTheNamedMetrics() throws Exception {
        List<Message> received = new CopyOnWriteArrayList<>();
        McpClient caller = client("caller", null);
        try (McpClient sub = client("sub", ClientSession.create(600));
             McpClient pub = client("pub", null)) {
            for (int i = 0; i < 5; i++) {
                Payload reply = McpClient.await(caller.call(0xFF01, Payload.utf8("hello " + i)));
                reply.release();
            }
            McpClient.await(caller.call(0x0001, Payload.utf8("x"))).release();
            McpException e = assertThrows(McpException.class, () -> McpClient.await(caller.call(0x0BAD, Payload.utf8("?"))));
            assertEquals(ErrorCode.NOT_FOUND.code(), e.code());
            // Something that is not MCP: the handshake fails.
            try (java.net.Socket junk = new java.net.Socket("127.0.0.1", server.address().getPort())) {
                junk.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                junk.getOutputStream().flush();
                junk.setSoTimeout((int) WAIT.toMillis());
                junk.getInputStream().readAllBytes(); // the server's ERROR, then its close
            }
            // A server-initiated call: the client answers ECHO.
            Connection toCaller = server.connections().stream()
                    .filter(c -> c.sessionId().equals(caller.sessionId())).findFirst().orElseThrow();
            McpClient.await(toCaller.call(0xFF01, Payload.utf8("back"), WAIT)).release();

            assertEquals(1, McpClient.await(sub.subscribe("t/#", 1, received::add)));
            for (int qos = 0; qos <= 2; qos++) {
                McpClient.await(pub.publish("t/a", qos, false, Payload.utf8("m" + qos)));
            }
            await().atMost(WAIT).until(() -> received.size() == 3);

            caller.close();
            await().atMost(WAIT).until(() -> scrape().value("mcp_connections_closed_total", "reason=\"NO_ERROR\"") >= 1
                    && scrape().value("mcp_server_sockets") == 2);

            Scrape s = scrape();
            // Connections: sub and pub are open, caller closed normally.
            assertEquals(2, s.value("mcp_connections_open"), s.lines("mcp_connections").toString());
            assertEquals(3, s.value("mcp_connections_opened_total"));
            assertEquals(1, s.value("mcp_connections_closed_total", "reason=\"NO_ERROR\""));
            assertEquals(2, s.value("mcp_server_sockets"));
            assertEquals(1, s.value("mcp_handshakes_failed_total"), s.lines("mcp_handshakes").toString());
            assertEquals(1, s.value("mcp_errors_total", "kind=\"handshake\""));
            assertEquals(0, s.value("mcp_server_draining"));

            // Frames and bytes by type, both directions.
            assertEquals(7, s.value("mcp_frames_received_total", "type=\"REQUEST\""));
            assertEquals(6, s.value("mcp_frames_sent_total", "type=\"RESPONSE\""));
            assertEquals(1, s.value("mcp_frames_sent_total", "type=\"ERROR\""));
            assertEquals(3, s.value("mcp_frames_received_total", "type=\"HELLO\""));
            assertEquals(3, s.value("mcp_frames_received_total", "type=\"PUBLISH\""));
            assertEquals(3, s.value("mcp_frames_sent_total", "type=\"PUBLISH\""));
            assertTrue(s.value("mcp_frames_received_bytes_total", "type=\"REQUEST\"") >= 7 * 22);
            assertTrue(s.value("mcp_frames_sent_bytes_total", "type=\"RESPONSE\"") >= 6 * 22);
            assertEquals(1, s.value("mcp_frames_received_total", "type=\"GOAWAY\""), "the caller said goodbye");
            assertEquals(0, s.value("mcp_frames_received_total", "type=\"PONG\""), "every type is exported");

            // Request latency histograms by opcode and result code.
            assertEquals(5, s.value("mcp_requests_seconds_count", "opcode=\"0xFF01\"", "code=\"OK\""));
            assertEquals(5, s.value("mcp_requests_seconds_bucket", "opcode=\"0xFF01\"", "code=\"OK\"", "le=\"+Inf\""));
            assertEquals(1, s.value("mcp_requests_seconds_count", "opcode=\"0x0001\"", "code=\"OK\""));
            assertEquals(1, s.value("mcp_requests_seconds_count", "opcode=\"0x0BAD\"", "code=\"NOT_FOUND\""));
            assertTrue(s.value("mcp_requests_seconds_bucket", "opcode=\"0xFF01\"", "le=\"10.0\"") == 5,
                    s.lines("mcp_requests_seconds_bucket").toString());

            // Outbound calls (server to client).
            assertEquals(1, s.value("mcp_calls_seconds_count", "opcode=\"0xFF01\"", "code=\"OK\""));
            assertEquals(1, s.value("mcp_frames_sent_total", "type=\"REQUEST\""));

            // Errors by code.
            assertEquals(1, s.value("mcp_errors_total", "code=\"NOT_FOUND\"", "kind=\"request\""));

            // Publish/subscribe.
            for (int qos = 0; qos <= 2; qos++) {
                assertEquals(1, s.value("mcp_broker_publishes_total", "qos=\"" + qos + "\""), "qos " + qos);
            }
            assertEquals(1, s.value("mcp_broker_deliveries_total", "qos=\"0\""));
            assertEquals(2, s.value("mcp_broker_deliveries_total", "qos=\"1\""), "QoS 2 delivered at the filter's QoS 1");
            assertEquals(0, s.value("mcp_broker_retransmissions_total"));
            assertEquals(0, s.value("mcp_broker_nacks_total", "direction=\"received\""));
            assertEquals(0, s.value("mcp_broker_window_stalls_total"));
            assertEquals(0, s.value("mcp_broker_dropped_total", "reason=\"queue_full\""));
            assertEquals(0, s.value("mcp_broker_dropped_total", "reason=\"too_large\""));
            assertEquals(2, s.value("mcp_sessions", "state=\"attached\""));
            assertEquals(0, s.value("mcp_broker_queue_depth"));
            assertEquals(0, s.value("mcp_broker_inflight"));

            // The durable subscriber's messages went through the SQLite store.
            assertTrue(s.value("mcp_store_commit_seconds_count") >= 1, s.lines("mcp_store").toString());

            // JVM and Netty allocator.
            assertTrue(s.value("jvm_memory_used_bytes") > 0);
            assertTrue(s.value("jvm_threads_live_threads") > 0);
            assertTrue(s.value("process_cpu_usage") >= 0);
            assertTrue(s.value("netty_allocator_memory_used") >= 0, s.lines("netty").toString());

            // Every metric the Grafana dashboard queries is one the server serves. GC pauses appear
            // with the first collection the JVM reports, so make sure there was one.
            await().atMost(WAIT).until(() -> {
                System.gc();
                return scrape().value("jvm_gc_pause_seconds_count") > 0;
            });
            s = scrape();
            JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
            Set<String> queried = new TreeSet<>();
            for (JsonNode expr : dashboard.findValues("expr")) {
                Matcher m = METRIC.matcher(expr.asText());
                while (m.find()) {
                    queried.add(m.group());
                }
            }
            assertTrue(queried.size() > 30, queried.toString());
            for (String name : queried) {
                assertTrue(s.value(name) >= 0, "the dashboard queries " + name + ", which is not exported");
            }
        }
    }

    @Test
    void aMessageOverASubscribersMaxFrameIsCountedAsDroppedTooLarge() throws Exception {
        List<Message> received = new CopyOnWriteArrayList<>();
        McpClient.Builder small = McpClient.builder().address("127.0.0.1", server.address().getPort())
                .clientId("small").maxFrame(4096).callTimeout(WAIT);
        try (McpClient sub = small.connect();
             McpClient pub = client("pub", null)) {
            assertEquals(1, McpClient.await(sub.subscribe("t/#", 1, received::add)));
            McpClient.await(pub.publish("t/a", 1, false, Payload.utf8("before")));
            McpClient.await(pub.publish("t/a", 1, false, Payload.utf8("x".repeat(8192))));
            McpClient.await(pub.publish("t/a", 1, false, Payload.utf8("after")));
            await().atMost(WAIT).until(() -> received.size() == 2);

            assertEquals(List.of("before", "after"), received.stream().map(Message::payloadAsString).toList());
            Scrape s = scrape();
            assertEquals(1, s.value("mcp_broker_dropped_total", "reason=\"too_large\""), s.lines("mcp_broker_dropped").toString());
            assertEquals(2, s.value("mcp_broker_deliveries_total", "qos=\"1\""));
        }
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + admin.address().getPort() + "/metrics"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Accept", "application/openmetrics-text; version=1.0.0").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(r.body().trim().endsWith("# EOF"), "OpenMetrics ends with # EOF");
    }
}
