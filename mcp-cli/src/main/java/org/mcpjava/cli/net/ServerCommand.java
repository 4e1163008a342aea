package org.mcpjava.cli.net;

import org.mcpjava.cli.ExitCodes;
import org.mcpjava.core.McpException;
import org.mcpjava.observability.config.Config;
import org.mcpjava.observability.config.ConfigException;
import org.mcpjava.observability.config.ConfigLoader;
import org.mcpjava.observability.config.ServerKeys;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code mcp server}: runs an MCP/1 server (the gateway's main job) until SIGTERM / Ctrl-C, then
 * shuts down gracefully: GOAWAY to every connection, accepted work finished up to the drain
 * timeout. Prints the bound address on one line when it is listening.
 *
 * <p>Its settings come from, lowest precedence first: defaults, the YAML file of {@code --config},
 * the profile overlay chosen by {@code MCP_PROFILE} / {@code --profile}, {@code MCP_*} environment
 * variables, and the flags below ({@link ConfigLoader}). {@code --print-config} prints the result
 * with the source of every value, and exits. Invalid settings stop it before anything starts, with
 * the key, the value and its source in the message.
 */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run an MCP server (answers the built-in ECHO and INFO). Stops gracefully on SIGTERM or Ctrl-C.",
            "Settings, lowest precedence first: defaults < --config FILE < its profile overlay (MCP_PROFILE=prod "
                    + "reads FILE-prod.yaml) < MCP_* environment variables (MCP_SERVER_PORT for server.port) < flags.",
            "Admin HTTP port (default 127.0.0.1:19780): /health/live, /health/ready, /metrics, /admin/connections, "
                    + "/admin/sessions, POST /admin/sessions/{id}/close."})
public final class ServerCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (or env MCP_CONFIG).")
    Path config;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "Profile overlay read next to the file: NAME=prod reads mcp-prod.yaml for mcp.yaml (or env MCP_PROFILE).")
    String profile;

    @Option(names = "--print-config", description = "Print the effective configuration, with where each value came from, and exit.")
    boolean printConfig;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set any configuration key, e.g. --set pubsub.max-queued=500 (repeatable).")
    List<String> sets;

    @Option(paramLabel = "HOST", names = {"-H", "--host"}, description = "Address to listen on (server.host, default 0.0.0.0).")
    String host;

    @Option(paramLabel = "PORT", names = {"-p", "--port"}, description = "Port; 0 picks a free one (server.port, default 19779).")
    String port;

    @Option(paramLabel = "NAME", names = "--name", description = "SERVER_NAME announced to clients (server.name, default mcp-java).")
    String name;

    @Option(paramLabel = "TOKEN", names = "--token", description = "Accept only clients presenting this token (server.tokens; repeatable; or env MCP_TOKEN).")
    List<String> tokens;

    @Option(paramLabel = "FILE", names = "--tls-cert", description = "Serve TLS with this certificate chain, PEM (tls.cert).")
    String tlsCert;

    @Option(paramLabel = "FILE", names = "--tls-key", description = "Private key (PKCS#8 PEM) for --tls-cert (tls.key).")
    String tlsKey;

    @Option(paramLabel = "FILE", names = "--tls-client-ca", description = "Require client certificates signed by these CAs: mutual TLS (tls.client-ca).")
    String tlsClientCa;

    @Option(paramLabel = "BYTES", names = "--max-frame", description = "Largest frame accepted, bytes (server.max-frame, default 4194304).")
    String maxFrame;

    @Option(paramLabel = "N", names = "--max-connections", description = "Connections in total (server.max-connections, default 10000).")
    String maxConnections;

    @Option(paramLabel = "N", names = "--max-connections-per-address",
            description = "Connections from one remote address (server.max-connections-per-address, default 1000).")
    String maxPerAddress;

    @Option(paramLabel = "N", names = "--max-concurrent-requests",
            description = "Requests in flight per connection before OVERLOADED (server.max-concurrent-requests, default 1024).")
    String maxConcurrent;

    @Option(paramLabel = "N", names = "--receive-window",
            description = "QoS 1/2 publishes in flight accepted per connection (server.receive-window, default 1024).")
    String receiveWindow;

    @Option(paramLabel = "DURATION", names = "--keepalive", description = "Longest keepalive allowed; 0 disables (server.keepalive, default 30s).")
    String keepalive;

    @Option(paramLabel = "DURATION", names = "--handshake-timeout", description = "Time a new connection has to send HELLO (server.handshake-timeout, default 10s).")
    String handshakeTimeout;

    @Option(paramLabel = "DURATION", names = "--drain-timeout", description = "How long shutdown waits for accepted work (server.drain-timeout, default 30s).")
    String drainTimeout;

    @Option(paramLabel = "N", names = "--io-threads", description = "I/O threads; 0 is 2 x cores (server.io-threads, default 0).")
    String ioThreads;

    @Option(paramLabel = "TYPE", names = "--store", description = "Where pub/sub sessions, queued and retained messages live: sqlite (on disk, "
            + "survives restarts) or memory (store.type, default sqlite).")
    String store;

    @Option(paramLabel = "DIR", names = "--data-dir", description = "Directory of the SQLite store (store.data-dir, default ./mcp-data).")
    String dataDir;

    @Option(paramLabel = "N", names = "--max-queued",
            description = "Messages queued per session before QoS 1/2 publishers are pushed back (pubsub.max-queued, default 10000).")
    String maxQueued;

    @Option(paramLabel = "DURATION", names = "--max-session-expiry", description = "Longest SESSION_EXPIRY granted (pubsub.max-session-expiry, default 7d).")
    String maxSessionExpiry;

    @Option(names = "--admin", negatable = true, description = "Serve the admin HTTP port (admin.enabled, default true).")
    Boolean admin;

    @Option(paramLabel = "HOST", names = "--admin-host", description = "Admin port address; 0.0.0.0 for Kubernetes probes (admin.host, default 127.0.0.1).")
    String adminHost;

    @Option(paramLabel = "PORT", names = "--admin-port", description = "Admin HTTP port (admin.port, default 19780).")
    String adminPort;

    @Option(paramLabel = "TOKEN", names = "--admin-token", description = "Bearer token for /metrics and /admin/* (admin.token; or env MCP_ADMIN_TOKEN).")
    String adminToken;

    @Option(names = "--metrics", negatable = true, description = "Collect metrics, served on /metrics (metrics.enabled, default true).")
    Boolean metrics;

    @Option(names = "--tracing", negatable = true,
            description = "Trace with the OpenTelemetry SDK configured by OTEL_* variables, e.g. OTEL_TRACES_EXPORTER=otlp "
                    + "(tracing.enabled, default false).")
    Boolean tracing;

    @Option(paramLabel = "FORMAT", names = "--log-format", description = "json or plain, for a terminal (logging.format, default json).")
    String logFormat;

    @Option(paramLabel = "LEVEL", names = "--log-level", description = "trace, debug, info, warn, error or off (logging.level, default info).")
    String logLevel;

    @Spec
    CommandSpec spec;

    /** The environment the configuration reads; tests replace it. */
    Map<String, String> env = System.getenv();

    /** The effective configuration of these flags, the file and the environment. */
    Config loadConfig() {
        ConfigLoader loader = ConfigLoader.of(ServerKeys.ALL)
                .file(config, "flag --config")
                .profile(profile, "flag --profile")
                .env(env)
                .envAlias("MCP_TOKEN", ServerKeys.TOKENS)
                .flag(ServerKeys.HOST, host, "--host")
                .flag(ServerKeys.PORT, port, "--port")
                .flag(ServerKeys.NAME, name, "--name")
                .flag(ServerKeys.TOKENS, tokens, "--token")
                .flag(ServerKeys.TLS_CERT, tlsCert, "--tls-cert")
                .flag(ServerKeys.TLS_KEY, tlsKey, "--tls-key")
                .flag(ServerKeys.TLS_CLIENT_CA, tlsClientCa, "--tls-client-ca")
                .flag(ServerKeys.MAX_FRAME, maxFrame, "--max-frame")
                .flag(ServerKeys.MAX_CONNECTIONS, maxConnections, "--max-connections")
                .flag(ServerKeys.MAX_CONNECTIONS_PER_ADDRESS, maxPerAddress, "--max-connections-per-address")
                .flag(ServerKeys.MAX_CONCURRENT_REQUESTS, maxConcurrent, "--max-concurrent-requests")
                .flag(ServerKeys.RECEIVE_WINDOW, receiveWindow, "--receive-window")
                .flag(ServerKeys.KEEPALIVE, keepalive, "--keepalive")
                .flag(ServerKeys.HANDSHAKE_TIMEOUT, handshakeTimeout, "--handshake-timeout")
                .flag(ServerKeys.DRAIN_TIMEOUT, drainTimeout, "--drain-timeout")
                .flag(ServerKeys.IO_THREADS, ioThreads, "--io-threads")
                .flag(ServerKeys.STORE, store, "--store")
                .flag(ServerKeys.DATA_DIR, dataDir, "--data-dir")
                .flag(ServerKeys.MAX_QUEUED, maxQueued, "--max-queued")
                .flag(ServerKeys.MAX_SESSION_EXPIRY, maxSessionExpiry, "--max-session-expiry")
                .flag(ServerKeys.ADMIN_ENABLED, admin == null ? null : admin.toString(), admin == null || admin ? "--admin" : "--no-admin")
                .flag(ServerKeys.ADMIN_HOST, adminHost, "--admin-host")
                .flag(ServerKeys.ADMIN_PORT, adminPort, "--admin-port")
                .flag(ServerKeys.ADMIN_TOKEN, adminToken, "--admin-token")
                .flag(ServerKeys.METRICS_ENABLED, metrics == null ? null : metrics.toString(),
                        metrics == null || metrics ? "--metrics" : "--no-metrics")
                .flag(ServerKeys.TRACING_ENABLED, tracing == null ? null : tracing.toString(),
                        tracing == null || tracing ? "--tracing" : "--no-tracing")
                .flag(ServerKeys.LOG_FORMAT, logFormat, "--log-format")
                .flag(ServerKeys.LOG_LEVEL, logLevel, "--log-level");
        if (sets != null) {
            for (String s : sets) {
                loader.set(s, "--set");
            }
        }
        Config c = loader.load();
        ServerKeys.validate(c);
        return c;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config c;
        try {
            c = loadConfig();
        } catch (ConfigException e) {
            err.println("error: invalid configuration: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (printConfig) {
            out.print(c.render());
            out.flush();
            return ExitCodes.OK;
        }
        ServerRuntime runtime;
        try {
            runtime = ServerRuntime.start(c);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (McpException | java.io.IOException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.IO_ERROR;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            // A log line, not a print: in JSON mode standard error carries nothing but JSON lines.
            LoggerFactory.getLogger(ServerCommand.class).info("shutting down (GOAWAY, draining up to {} s)",
                    c.get(ServerKeys.DRAIN_TIMEOUT).toSeconds());
            runtime.close();
            stopped.countDown();
        }, "mcp-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println(runtime.describe());
        out.flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
