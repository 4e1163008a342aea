package org.mcpjava.observability.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.observability.Http;
import org.mcpjava.server.McpServer;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin API over real HTTP against a real server: the token, the views, closing a session. */
class AdminApiTest {
    private static final String TOKEN = "admin-secret";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private McpServer server;
    private AdminServer admin;
    private Http http;

    @BeforeEach
    void start() throws Exception {
        admin = AdminServer.create(new AdminOptions("127.0.0.1", 0, TOKEN), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        server = McpServer.builder().host("127.0.0.1").port(0)
                .observer(admin.connectionTracker())
                .broker(BrokerOptions.builder().build())
                .build().start();
        admin.attach(server).start();
        http = new Http(admin.address(), TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
        admin.close();
    }

    private McpClient client(String id, ClientSession session) {
        McpClient.Builder b = McpClient.builder().address("127.0.0.1", server.address().getPort()).clientId(id)
                .callTimeout(WAIT);
        return session == null ? b.connect() : b.session(session).connect();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void everythingButTheHealthChecksNeedsTheToken() throws Exception {
        for (String path : new String[] {"/metrics", "/admin/connections", "/admin/sessions"}) {
            HttpResponse<String> none = http.withoutToken().get(path);
            assertEquals(401, none.statusCode(), path);
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), path);
            assertEquals(401, http.withToken("wrong").get(path).statusCode(), path);
            assertEquals(200, http.get(path).statusCode(), path);
        }
        assertEquals(401, http.withoutToken().post("/admin/sessions/" + "0".repeat(32) + "/close").statusCode());
        assertEquals(200, http.withoutToken().get("/health/live").statusCode());
        assertEquals(200, http.withoutToken().get("/health/ready").statusCode());
        assertEquals("READY", json(http.withoutToken().get("/health/ready")).get("status").asText());
        assertEquals(404, http.get("/nothing-here").statusCode());
    }

    @Test
    void withoutATokenTheApiIsOpen() throws Exception {
        try (AdminServer open = AdminServer.create(new AdminOptions("127.0.0.1", 0, null), null).attach(server).start()) {
            Http anyone = new Http(open.address(), null);
            assertEquals(200, anyone.get("/admin/connections").statusCode());
            assertEquals(404, anyone.get("/metrics").statusCode(), "no registry: no metrics");
        }
    }

    @Test
    void listsConnectionsAndSessions() throws Exception {
        try (McpClient sub = client("sensor-7", ClientSession.create(600))) {
            McpClient.await(sub.subscribe("sensors/#", 1, m -> { }));
            JsonNode conns = json(http.get("/admin/connections"));
            assertEquals(1, conns.get("count").asInt(), conns.toString());
            JsonNode c = conns.get("connections").get(0);
            assertEquals(sub.sessionId(), c.get("session_id").asText());
            assertTrue(c.get("remote").asText().contains("127.0.0.1"), c.toString());
            assertEquals("sensor-7", c.get("client_id").asText());
            assertTrue(c.get("active").asBoolean());
            assertNotNull(Instant.parse(c.get("established_at").asText()));

            JsonNode sessions = json(http.get("/admin/sessions"));
            assertEquals(1, sessions.get("count").asInt(), sessions.toString());
            JsonNode s = sessions.get("sessions").get(0);
            assertEquals(sub.sessionId(), s.get("session_id").asText());
            assertEquals("sensor-7", s.get("client_id").asText());
            assertTrue(s.get("attached").asBoolean());
            assertTrue(s.get("durable").asBoolean());
            assertEquals(600, s.get("expiry_s").asLong());
            assertEquals(1, s.get("subscriptions").get("sensors/#").asInt());
        }
    }

    @Test
    void closesASessionById() throws Exception {
        McpClient victim = client("victim", ClientSession.create(600));
        try (McpClient bystander = client("bystander", null)) {
            String id = victim.sessionId();
            assertEquals(405, http.get("/admin/sessions/" + id + "/close").statusCode());
            HttpResponse<String> r = http.post("/admin/sessions/" + id + "/close");
            assertTrue(r.statusCode() == 202 || r.statusCode() == 200, r.statusCode() + " " + r.body());
            assertEquals(id, json(r).get("session_id").asText());

            victim.closeFuture().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertFalse(victim.isActive());
            assertTrue(bystander.isActive(), "only that session is closed");
            // The durable session is ended too: it cannot be resumed.
            await().atMost(WAIT).until(() -> server.broker().session(id) == null);
            JsonNode sessions = json(http.get("/admin/sessions"));
            assertEquals(1, sessions.get("count").asInt(), sessions.toString());
            assertEquals(bystander.sessionId(), sessions.get("sessions").get(0).get("session_id").asText());
            await().atMost(WAIT).until(() -> json(http.get("/admin/connections")).get("count").asInt() == 1);

            assertEquals(404, http.post("/admin/sessions/" + id + "/close").statusCode(), "already gone");
            assertEquals(404, http.post("/admin/sessions/" + "ab".repeat(16) + "/close").statusCode());
        } finally {
            victim.close();
        }
    }

    @Test
    void endsADetachedDurableSessionAtOnce() throws Exception {
        ClientSession durable = ClientSession.create(600);
        String id;
        try (McpClient c = client("offline", durable)) {
            id = c.sessionId();
        }
        await().atMost(WAIT).until(() -> server.broker().session(id) != null && !server.broker().session(id).isAttached());
        HttpResponse<String> r = http.post("/admin/sessions/" + id + "/close");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("closed", json(r).get("status").asText());
        assertEquals(null, server.broker().session(id));
    }
}
