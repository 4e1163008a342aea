package org.mcpjava.observability.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The configuration keys of {@code mcp server}, with their defaults. docs/operations.md lists them;
 * {@code mcp server --print-config} prints their effective values and where each came from.
 */
public final class ServerKeys {
    /** Address the MCP port listens on. */
    public static final ConfigKey<String> HOST = ConfigKey.string("server.host", "0.0.0.0",
            "Address the MCP port listens on");
    /** The MCP port. */
    public static final ConfigKey<Integer> PORT = ConfigKey.integer("server.port", 19779, 0, 65535,
            "MCP port; 0 picks a free one");
    /** SERVER_NAME. */
    public static final ConfigKey<String> NAME = ConfigKey.string("server.name", "mcp-java",
            "SERVER_NAME announced to clients");
    /** Client tokens accepted in HELLO AUTH. */
    public static final ConfigKey<List<String>> TOKENS = ConfigKey.list("server.tokens", true,
            "Accept only clients presenting one of these tokens (none: everyone)");
    /** MAX_FRAME. */
    public static final ConfigKey<Integer> MAX_FRAME = ConfigKey.integer("server.max-frame", 4 * 1024 * 1024, 22,
            Integer.MAX_VALUE, "Largest frame accepted, bytes");
    /** Connections in total. */
    public static final ConfigKey<Integer> MAX_CONNECTIONS = ConfigKey.integer("server.max-connections", 10_000, 1,
            Integer.MAX_VALUE, "Connections in total");
    /** Connections per remote address. */
    public static final ConfigKey<Integer> MAX_CONNECTIONS_PER_ADDRESS = ConfigKey.integer(
            "server.max-connections-per-address", 1_000, 1, Integer.MAX_VALUE, "Connections from one remote address");
    /** Requests in flight per connection. */
    public static final ConfigKey<Integer> MAX_CONCURRENT_REQUESTS = ConfigKey.integer(
            "server.max-concurrent-requests", 1024, 1, Integer.MAX_VALUE,
            "Requests in flight per connection before OVERLOADED");
    /** RECEIVE_WINDOW. */
    public static final ConfigKey<Integer> RECEIVE_WINDOW = ConfigKey.integer("server.receive-window", 1024, 1, 65535,
            "QoS 1/2 publishes in flight accepted per connection (RECEIVE_WINDOW)");
    /** Longest keepalive allowed. */
    public static final ConfigKey<Duration> KEEPALIVE = ConfigKey.duration("server.keepalive", "30s", Duration.ZERO,
            "Longest keepalive allowed; 0 disables");
    /** Handshake timeout. */
    public static final ConfigKey<Duration> HANDSHAKE_TIMEOUT = ConfigKey.duration("server.handshake-timeout", "10s",
            Duration.ofMillis(1), "Time a new connection has to send HELLO");
    /** Drain timeout. */
    public static final ConfigKey<Duration> DRAIN_TIMEOUT = ConfigKey.duration("server.drain-timeout", "30s",
            Duration.ZERO, "How long shutdown waits for accepted work");
    /** I/O threads. */
    public static final ConfigKey<Integer> IO_THREADS = ConfigKey.integer("server.io-threads", 0, 0, 1024,
            "I/O threads; 0 is twice the cores");

    /** TLS certificate chain. */
    public static final ConfigKey<Path> TLS_CERT = ConfigKey.path("tls.cert", null,
            "Serve TLS with this certificate chain (PEM)");
    /** TLS private key. */
    public static final ConfigKey<Path> TLS_KEY = ConfigKey.path("tls.key", null, "Private key (PKCS#8 PEM) for tls.cert");
    /** CAs for client certificates. */
    public static final ConfigKey<Path> TLS_CLIENT_CA = ConfigKey.path("tls.client-ca", null,
            "Require client certificates signed by these CAs (mutual TLS)");

    /** Where pub/sub state lives. */
    public static final ConfigKey<String> STORE = ConfigKey.choice("store.type", "sqlite",
            "Where pub/sub sessions and retained messages live", "sqlite", "memory");
    /** The SQLite directory. */
    public static final ConfigKey<Path> DATA_DIR = ConfigKey.path("store.data-dir", "mcp-data",
            "Directory of the SQLite store");
    /** Messages queued per session. */
    public static final ConfigKey<Integer> MAX_QUEUED = ConfigKey.integer("pubsub.max-queued", 10_000, 1,
            Integer.MAX_VALUE, "Messages queued per session before QoS 1/2 publishers are pushed back");
    /** Longest SESSION_EXPIRY granted. */
    public static final ConfigKey<Duration> MAX_SESSION_EXPIRY = ConfigKey.duration("pubsub.max-session-expiry", "7d",
            Duration.ZERO, "Longest SESSION_EXPIRY granted");

    /** Whether the admin HTTP port is served. */
    public static final ConfigKey<Boolean> ADMIN_ENABLED = ConfigKey.bool("admin.enabled", true,
            "Serve the admin HTTP port (health, metrics, connections, sessions)");
    /** Admin bind address. */
    public static final ConfigKey<String> ADMIN_HOST = ConfigKey.string("admin.host", "127.0.0.1",
            "Address of the admin port (0.0.0.0 for Kubernetes probes and Prometheus)");
    /** Admin port. */
    public static final ConfigKey<Integer> ADMIN_PORT = ConfigKey.integer("admin.port", 19780, 0, 65535,
            "Admin HTTP port; 0 picks a free one");
    /** Admin bearer token. */
    public static final ConfigKey<String> ADMIN_TOKEN = ConfigKey.secret("admin.token",
            "Bearer token for /metrics and /admin/* (health checks stay open)");

    /** Whether metrics are collected. */
    public static final ConfigKey<Boolean> METRICS_ENABLED = ConfigKey.bool("metrics.enabled", true,
            "Collect metrics and serve them on /metrics");
    /** JVM and process metrics. */
    public static final ConfigKey<Boolean> METRICS_JVM = ConfigKey.bool("metrics.jvm", true,
            "Include JVM, process and Netty allocator metrics");
    /** Opcodes with their own series. */
    public static final ConfigKey<Integer> METRICS_MAX_OPCODES = ConfigKey.integer("metrics.max-opcodes", 256, 1,
            65536, "Distinct opcodes with their own latency series; later ones share opcode=\"other\"");

    /** Whether tracing is on. */
    public static final ConfigKey<Boolean> TRACING_ENABLED = ConfigKey.bool("tracing.enabled", false,
            "Trace requests and publishes with the OpenTelemetry SDK, configured by OTEL_* variables");

    /** Share of untraced work that starts a trace. */
    public static final ConfigKey<Double> TRACING_SAMPLE_RATIO = ConfigKey.ratio("tracing.sample-ratio", 0.1,
            "Share of requests and publishes arriving without trace context that start a trace (1 for all); "
                    + "those with trace context always follow the caller's decision");

    /** Log format. */
    public static final ConfigKey<String> LOG_FORMAT = ConfigKey.choice("logging.format", "json",
            "json (one object per line) or plain (for a terminal)", "json", "plain");
    /** Root log level. */
    public static final ConfigKey<String> LOG_LEVEL = ConfigKey.choice("logging.level", "info",
            "Root log level", "trace", "debug", "info", "warn", "error", "off");

    /** Every key, in the order they are documented and printed. */
    public static final List<ConfigKey<?>> ALL = List.of(
            HOST, PORT, NAME, TOKENS, MAX_FRAME, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS, MAX_CONCURRENT_REQUESTS,
            RECEIVE_WINDOW, KEEPALIVE, HANDSHAKE_TIMEOUT, DRAIN_TIMEOUT, IO_THREADS,
            TLS_CERT, TLS_KEY, TLS_CLIENT_CA,
            STORE, DATA_DIR, MAX_QUEUED, MAX_SESSION_EXPIRY,
            ADMIN_ENABLED, ADMIN_HOST, ADMIN_PORT, ADMIN_TOKEN,
            METRICS_ENABLED, METRICS_JVM, METRICS_MAX_OPCODES,
            TRACING_ENABLED, TRACING_SAMPLE_RATIO,
            LOG_FORMAT, LOG_LEVEL);

    private ServerKeys() {
    }

    /**
     * Checks what no single key can: TLS key and certificate come together, a client CA needs them,
     * and the admin port is not the MCP port.
     *
     * @throws ConfigException naming the keys and values
     */
    public static void validate(Config c) {
        if ((c.get(TLS_CERT) == null) != (c.get(TLS_KEY) == null)) {
            throw new ConfigException(TLS_CERT.name(), "tls.cert and tls.key go together: tls.cert = "
                    + c.get(TLS_CERT) + " (" + c.source(TLS_CERT) + "), tls.key = " + c.get(TLS_KEY)
                    + " (" + c.source(TLS_KEY) + ")");
        }
        if (c.get(TLS_CLIENT_CA) != null && c.get(TLS_CERT) == null) {
            throw new ConfigException(TLS_CLIENT_CA.name(), "tls.client-ca = " + c.get(TLS_CLIENT_CA) + " ("
                    + c.source(TLS_CLIENT_CA) + ") needs tls.cert and tls.key");
        }
        if (c.get(ADMIN_ENABLED) && c.get(ADMIN_PORT) != 0 && c.get(ADMIN_PORT).equals(c.get(PORT))) {
            throw new ConfigException(ADMIN_PORT.name(), "admin.port = " + c.get(ADMIN_PORT) + " ("
                    + c.source(ADMIN_PORT) + ") is also server.port (" + c.source(PORT) + ")");
        }
    }
}
