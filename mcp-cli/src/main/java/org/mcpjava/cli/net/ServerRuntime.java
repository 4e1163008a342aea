package org.mcpjava.cli.net;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.observability.EngineObservers;
import org.mcpjava.observability.admin.AdminOptions;
import org.mcpjava.observability.admin.AdminServer;
import org.mcpjava.observability.config.Config;
import org.mcpjava.observability.config.ServerKeys;
import org.mcpjava.observability.logging.LogFormat;
import org.mcpjava.observability.logging.LoggingSetup;
import org.mcpjava.observability.metrics.McpMetrics;
import org.mcpjava.observability.tracing.McpTracing;
import org.mcpjava.server.McpServer;
import org.mcpjava.store.sqlite.SqliteSessionStore;
import org.mcpjava.store.sqlite.SqliteStoreOptions;
import org.mcpjava.transport.TlsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The running parts of {@code mcp server}, assembled from a {@link Config}: logging, metrics,
 * tracing, the admin port and the MCP server, and their orderly stop. The admin port starts first
 * (alive, not ready) and stops last (not ready while the server drains).
 */
final class ServerRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerRuntime.class);

    private final Config config;
    private McpMetrics metrics;
    private PrometheusMeterRegistry registry;
    private TracingSetup tracing;
    private AdminServer admin;
    private McpServer server;

    private ServerRuntime(Config config) {
        this.config = config;
    }

    /**
     * Starts everything {@code config} asks for.
     *
     * @throws IllegalArgumentException for settings that cannot work (e.g. unusable TLS files)
     * @throws IOException if the admin port cannot be bound
     * @throws org.mcpjava.core.McpException UNAVAILABLE if the MCP port cannot be bound
     */
    static ServerRuntime start(Config config) throws IOException {
        ServerRuntime r = new ServerRuntime(config);
        try {
            r.startAll();
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    private void startAll() throws IOException {
        LoggingSetup.configure(LogFormat.parse(config.get(ServerKeys.LOG_FORMAT)), config.get(ServerKeys.LOG_LEVEL));
        if (config.profile() != null || !config.files().isEmpty()) {
            log.info("configuration from {} (profile {})", config.files(), config.profile());
        }
        if (config.get(ServerKeys.METRICS_ENABLED)) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            metrics = McpMetrics.create(registry, config.get(ServerKeys.METRICS_MAX_OPCODES));
            if (config.get(ServerKeys.METRICS_JVM)) {
                metrics.bindJvm();
            }
        }
        McpTracing traces = null;
        if (config.get(ServerKeys.TRACING_ENABLED)) {
            tracing = TracingSetup.fromEnvironment(config.get(ServerKeys.NAME));
            traces = McpTracing.create(tracing.openTelemetry(), config.get(ServerKeys.TRACING_SAMPLE_RATIO));
        }
        if (config.get(ServerKeys.ADMIN_ENABLED)) {
            String host = config.get(ServerKeys.ADMIN_HOST);
            String token = config.get(ServerKeys.ADMIN_TOKEN);
            if (token == null && !isLoopback(host)) {
                log.warn("the admin port on {} has no token: anyone who reaches it can read metrics and close "
                        + "sessions (set admin.token)", host);
            }
            admin = AdminServer.create(new AdminOptions(host, config.get(ServerKeys.ADMIN_PORT), token), registry).start();
        }
        McpServer.Builder b = McpServer.builder()
                .host(config.get(ServerKeys.HOST))
                .port(config.get(ServerKeys.PORT))
                .name(config.get(ServerKeys.NAME))
                .maxFrame(config.get(ServerKeys.MAX_FRAME))
                .maxConnections(config.get(ServerKeys.MAX_CONNECTIONS), config.get(ServerKeys.MAX_CONNECTIONS_PER_ADDRESS))
                .maxConcurrentRequests(config.get(ServerKeys.MAX_CONCURRENT_REQUESTS))
                .receiveWindow(config.get(ServerKeys.RECEIVE_WINDOW))
                .keepalive(config.get(ServerKeys.KEEPALIVE))
                .handshakeTimeout(config.get(ServerKeys.HANDSHAKE_TIMEOUT))
                .drainTimeout(config.get(ServerKeys.DRAIN_TIMEOUT))
                .workerThreads(config.get(ServerKeys.IO_THREADS));
        List<String> tokens = config.get(ServerKeys.TOKENS);
        if (!tokens.isEmpty()) {
            b.authTokens(tokens.toArray(new String[0]));
        }
        Path cert = config.get(ServerKeys.TLS_CERT);
        if (cert != null) {
            Path clientCa = config.get(ServerKeys.TLS_CLIENT_CA);
            b.tls(TlsOptions.builder().keyPair(cert, config.get(ServerKeys.TLS_KEY)).trust(clientCa)
                    .clientAuth(clientCa == null ? TlsOptions.ClientAuth.NONE : TlsOptions.ClientAuth.REQUIRE)
                    .build());
        }
        if (traces != null) {
            b.intercept(traces.interceptor()).decorator(traces.decorator());
        }
        b.observer(EngineObservers.compose(
                metrics == null ? null : metrics.observer(),
                traces == null ? null : traces.publishObserver(),
                admin == null ? null : admin.connectionTracker()));
        b.broker(brokerOptions());
        server = b.build().start();
        if (metrics != null) {
            metrics.bindServer(server);
        }
        if (admin != null) {
            admin.attach(server);
        }
    }

    private BrokerOptions brokerOptions() {
        BrokerOptions.Builder o = BrokerOptions.builder()
                .maxQueuedPerSession(config.get(ServerKeys.MAX_QUEUED))
                .maxSessionExpirySeconds(config.get(ServerKeys.MAX_SESSION_EXPIRY).toSeconds());
        if ("sqlite".equals(config.get(ServerKeys.STORE))) {
            Path dataDir = config.get(ServerKeys.DATA_DIR);
            try {
                Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot create the data directory " + dataDir + " (store.data-dir, "
                        + config.source(ServerKeys.DATA_DIR) + "): " + e.getMessage());
            }
            // The driver unpacks its native library here rather than in /tmp, where a killed
            // server would leave a copy behind each time.
            System.setProperty("org.sqlite.tmpdir", dataDir.toAbsolutePath().toString());
            SqliteStoreOptions storeOptions = SqliteStoreOptions.defaults();
            if (metrics != null) {
                storeOptions = storeOptions.commitListener(metrics.storeCommitListener());
            }
            o.store(SqliteSessionStore.open(dataDir.resolve("mcp.db"), storeOptions));
        }
        return o.build();
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /** The one line printed when the server listens. */
    String describe() {
        String host = config.get(ServerKeys.HOST);
        String shown = server.address().getAddress().isAnyLocalAddress() ? host : server.address().getAddress().getHostAddress();
        StringBuilder sb = new StringBuilder("mcp server listening on ").append(shown).append(':')
                .append(server.address().getPort()).append(" (").append(server.transport())
                .append(config.get(ServerKeys.TLS_CERT) != null ? ", tls" : "")
                .append(", store ").append("sqlite".equals(config.get(ServerKeys.STORE))
                        ? config.get(ServerKeys.DATA_DIR).resolve("mcp.db") : "memory");
        if (admin != null) {
            sb.append(", admin http://").append(config.get(ServerKeys.ADMIN_HOST)).append(':').append(admin.address().getPort());
        }
        if (tracing != null) {
            sb.append(", tracing");
        }
        return sb.append(')').toString();
    }

    /** The MCP server. */
    McpServer server() {
        return server;
    }

    /** The admin server, or {@code null}. */
    AdminServer admin() {
        return admin;
    }

    /** Graceful stop: drain the MCP server (readiness 503 meanwhile), then the admin port, traces, metrics. */
    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (tracing != null) {
            tracing.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }
}
