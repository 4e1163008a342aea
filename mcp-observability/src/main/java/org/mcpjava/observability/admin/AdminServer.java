package org.mcpjava.observability.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.server.McpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin HTTP port of an MCP server, for Prometheus, Kubernetes and operators.
 *
 * <table>
 * <caption>Endpoints</caption>
 * <tr><td>GET /health/live</td><td>200 while the process runs (no token needed)</td></tr>
 * <tr><td>GET /health/ready</td><td>200 when the server listens and is not draining, else 503 (no token)</td></tr>
 * <tr><td>GET /metrics</td><td>Prometheus text format (OpenMetrics if the scraper asks for it)</td></tr>
 * <tr><td>GET /admin/connections</td><td>JSON: established connections</td></tr>
 * <tr><td>GET /admin/sessions</td><td>JSON: pub/sub sessions</td></tr>
 * <tr><td>POST /admin/sessions/{id}/close</td><td>GOAWAY to the session's connection and end the session</td></tr>
 * </table>
 *
 * <p>With a token, every endpoint but the two health checks needs {@code Authorization: Bearer
 * <token>} (401 otherwise). Served by the JDK's HTTP server on two daemon threads. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final Pattern CLOSE_SESSION = Pattern.compile("/admin/sessions/([0-9a-fA-F]{32})/close/?");
    private static final String JSON = "application/json";
    private static final String OPENMETRICS = "application/openmetrics-text";

    private final AdminOptions options;
    private final PrometheusMeterRegistry metrics;
    private final ObjectMapper json = new ObjectMapper();
    private final ConnectionTracker tracker = new ConnectionTracker();
    private final AdminViews views = new AdminViews(json, tracker);
    private final byte[] token;
    private volatile McpServer server;
    private HttpServer http;
    private ExecutorService executor;

    private AdminServer(AdminOptions options, PrometheusMeterRegistry metrics) {
        this.options = options;
        this.metrics = metrics;
        this.token = options.token() == null ? null : options.token().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An admin server (not started).
     *
     * @param metrics the registry {@code /metrics} serves, or {@code null} for none (404)
     */
    public static AdminServer create(AdminOptions options, PrometheusMeterRegistry metrics) {
        if (options == null) {
            throw new IllegalArgumentException("options is null");
        }
        return new AdminServer(options, metrics);
    }

    /**
     * An observer that records when connections were established, for {@code /admin/connections}:
     * compose it into the server's observer. Optional.
     */
    public EngineObserver connectionTracker() {
        return tracker;
    }

    /** The MCP server to report on and act on; until set, readiness is 503. */
    public AdminServer attach(McpServer server) {
        this.server = server;
        return this;
    }

    /** Binds and starts serving. */
    public synchronized AdminServer start() throws IOException {
        if (http != null) {
            throw new IllegalStateException("already started");
        }
        HttpServer h = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 64);
        executor = Executors.newFixedThreadPool(2, new DefaultThreadFactory("mcp-admin", true));
        h.setExecutor(executor);
        h.createContext("/", this::handle);
        h.start();
        http = h;
        log.info("admin API listening on http://{}:{} ({})", options.host(), address().getPort(),
                token == null ? "no token" : "bearer token required");
        return this;
    }

    /** The bound address (with the real port when started with port 0), or {@code null}. */
    public synchronized InetSocketAddress address() {
        return http == null ? null : http.getAddress();
    }

    /** Whether the attached server is listening and not draining. */
    public boolean isReady() {
        McpServer s = server;
        return s != null && s.address() != null && !s.isDraining();
    }

    /** Stops serving. Idempotent. */
    @Override
    public synchronized void close() {
        if (http != null) {
            http.stop(0);
            executor.shutdownNow();
            http = null;
        }
    }

    // ------------------------------------------------------------ requests

    private void handle(HttpExchange ex) throws IOException {
        try {
            route(ex);
        } catch (HttpError e) {
            if (e.status == 405) {
                ex.getResponseHeaders().set("Allow", e.getMessage().contains("POST") ? "POST" : "GET");
            }
            respond(ex, e.status, JSON, json.writeValueAsString(json.createObjectNode().put("error", e.getMessage())));
        } catch (RuntimeException e) {
            log.warn("admin request {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            respond(ex, 500, JSON, "{\"error\":\"internal error\"}");
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        switch (path) {
            case "/health/live":
                requireGet(ex, method);
                respond(ex, 200, JSON, "{\"status\":\"UP\"}");
                return;
            case "/health/ready":
                requireGet(ex, method);
                readiness(ex);
                return;
            default:
                break;
        }
        if (!authorized(ex)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"mcp-admin\"");
            respond(ex, 401, JSON, "{\"error\":\"unauthorized: send Authorization: Bearer <admin token>\"}");
            return;
        }
        Matcher close = CLOSE_SESSION.matcher(path);
        if (path.equals("/metrics")) {
            requireGet(ex, method);
            scrape(ex);
        } else if (path.equals("/admin/connections")) {
            requireGet(ex, method);
            respondJson(ex, 200, views.connections(server));
        } else if (path.equals("/admin/sessions")) {
            requireGet(ex, method);
            respondJson(ex, 200, views.sessions(server));
        } else if (close.matches()) {
            if (!"POST".equals(method)) {
                throw new HttpError(405, "use POST");
            }
            closeSession(ex, close.group(1).toLowerCase(java.util.Locale.ROOT));
        } else {
            throw new HttpError(404, "no such endpoint: " + path);
        }
    }

    private static void requireGet(HttpExchange ex, String method) {
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            throw new HttpError(405, "use GET");
        }
    }

    private void readiness(HttpExchange ex) throws IOException {
        McpServer s = server;
        String status = s == null || s.address() == null ? "STARTING" : s.isDraining() ? "DRAINING" : "READY";
        respond(ex, "READY".equals(status) ? 200 : 503, JSON, "{\"status\":\"" + status + "\"}");
    }

    private boolean authorized(HttpExchange ex) {
        if (token == null) {
            return true;
        }
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(token, presented);
    }

    private void scrape(HttpExchange ex) throws IOException {
        if (metrics == null) {
            throw new HttpError(404, "metrics are disabled");
        }
        String accept = ex.getRequestHeaders().getFirst("Accept");
        String contentType = accept != null && accept.contains(OPENMETRICS)
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8";
        ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
        metrics.scrape(body, contentType);
        respond(ex, 200, contentType, body.toByteArray());
    }

    private void closeSession(HttpExchange ex, String id) throws IOException {
        McpServer s = server;
        if (s == null) {
            throw new HttpError(503, "the server is not running");
        }
        CompletableFuture<Boolean> closing = s.closeSession(id, "closed by an administrator");
        ObjectNode body = json.createObjectNode().put("session_id", id);
        if (!closing.isDone()) {
            respondJson(ex, 202, body.put("status", "closing"));
        } else if (Boolean.TRUE.equals(closing.getNow(false))) {
            respondJson(ex, 200, body.put("status", "closed"));
        } else {
            throw new HttpError(404, "no session " + id);
        }
    }

    private void respondJson(HttpExchange ex, int status, ObjectNode body) throws IOException {
        respond(ex, status, JSON, json.writeValueAsBytes(body));
    }

    private static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
        respond(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** An HTTP error answer with a status and a message for the JSON body. */
    private static final class HttpError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        HttpError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
