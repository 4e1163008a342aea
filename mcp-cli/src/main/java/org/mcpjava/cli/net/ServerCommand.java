package org.mcpjava.cli.net;

import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.cli.ExitCodes;
import org.mcpjava.store.sqlite.SqliteSessionStore;
import org.mcpjava.core.McpException;
import org.mcpjava.server.McpServer;
import org.mcpjava.transport.TlsOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code mcp server}: runs an MCP/1 server (the gateway's main job) until SIGTERM / Ctrl-C, then
 * shuts down gracefully: GOAWAY to every connection, accepted work finished up to the drain
 * timeout. Prints the bound address on one line when it is listening.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run an MCP server (answers the built-in ECHO and INFO). Stops gracefully on SIGTERM or Ctrl-C.")
public final class ServerCommand implements Callable<Integer> {
    @Option(names = {"-H", "--host"}, defaultValue = "0.0.0.0", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "19779", description = "Port; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--name", defaultValue = "mcp-java", description = "SERVER_NAME announced to clients (default ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--token", description = "Accept only clients presenting this token (repeatable; or env MCP_TOKEN).")
    List<String> tokens;

    @Option(names = "--tls-cert", description = "Serve TLS with this certificate chain (PEM).")
    Path tlsCert;

    @Option(names = "--tls-key", description = "Private key (PKCS#8 PEM) for --tls-cert.")
    Path tlsKey;

    @Option(names = "--tls-client-ca", description = "Require client certificates signed by these CAs (mutual TLS).")
    Path tlsClientCa;

    @Option(names = "--max-frame", defaultValue = "4194304", description = "Largest frame accepted, bytes (default ${DEFAULT-VALUE}).")
    int maxFrame;

    @Option(names = "--max-connections", defaultValue = "10000", description = "Connections in total (default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-connections-per-address", defaultValue = "1000",
            description = "Connections from one remote address (default ${DEFAULT-VALUE}).")
    int maxPerAddress;

    @Option(names = "--max-concurrent-requests", defaultValue = "1024",
            description = "Requests in flight per connection before OVERLOADED (default ${DEFAULT-VALUE}).")
    int maxConcurrent;

    @Option(names = "--keepalive", defaultValue = "30s", converter = DurationConverter.class,
            description = "Longest keepalive allowed; 0 disables (default ${DEFAULT-VALUE}).")
    Duration keepalive;

    @Option(names = "--handshake-timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "Time a new connection has to send HELLO (default ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    @Option(names = "--drain-timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long shutdown waits for accepted work (default ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(names = "--io-threads", defaultValue = "0", description = "I/O threads (default: 2 x cores).")
    int ioThreads;

    @Option(names = "--store", defaultValue = "sqlite",
            description = "Where pub/sub sessions, queued messages and retained messages live: sqlite (on disk, "
                    + "survives restarts) or memory (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--data-dir", defaultValue = "mcp-data",
            description = "Directory of the SQLite store (default ./${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--max-queued", defaultValue = "10000",
            description = "Messages queued per session before QoS 1/2 publishers are pushed back (default ${DEFAULT-VALUE}).")
    int maxQueued;

    @Option(names = "--max-session-expiry", defaultValue = "7d", converter = DurationConverter.class,
            description = "Longest SESSION_EXPIRY granted (default ${DEFAULT-VALUE}).")
    Duration maxSessionExpiry;

    @Spec
    CommandSpec spec;

    private BrokerOptions brokerOptions() {
        BrokerOptions.Builder o = BrokerOptions.builder()
                .maxQueuedPerSession(maxQueued)
                .maxSessionExpirySeconds(maxSessionExpiry.toSeconds());
        switch (store) {
            case "memory":
                break;
            case "sqlite":
                try {
                    Files.createDirectories(dataDir);
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot create the data directory " + dataDir + ": " + e.getMessage());
                }
                // The driver unpacks its native library here rather than in /tmp, where a killed
                // server would leave a copy behind each time.
                System.setProperty("org.sqlite.tmpdir", dataDir.toAbsolutePath().toString());
                o.store(SqliteSessionStore.open(dataDir.resolve("mcp.db")));
                break;
            default:
                throw new IllegalArgumentException("--store must be sqlite or memory: " + store);
        }
        return o.build();
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        McpServer server;
        try {
            McpServer.Builder b = McpServer.builder()
                    .host(host).port(port).name(name)
                    .maxFrame(maxFrame)
                    .maxConnections(maxConnections, maxPerAddress)
                    .maxConcurrentRequests(maxConcurrent)
                    .keepalive(keepalive)
                    .handshakeTimeout(handshakeTimeout)
                    .drainTimeout(drainTimeout)
                    .workerThreads(ioThreads);
            String envToken = System.getenv("MCP_TOKEN");
            if (tokens != null && !tokens.isEmpty()) {
                b.authTokens(tokens.toArray(new String[0]));
            } else if (envToken != null && !envToken.isEmpty()) {
                b.authTokens(envToken);
            }
            if (tlsCert != null || tlsKey != null || tlsClientCa != null) {
                b.tls(TlsOptions.builder().keyPair(tlsCert, tlsKey).trust(tlsClientCa)
                        .clientAuth(tlsClientCa == null ? TlsOptions.ClientAuth.NONE : TlsOptions.ClientAuth.REQUIRE)
                        .build());
            }
            b.broker(brokerOptions());
            server = b.build().start();
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (McpException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.IO_ERROR;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            err.println("mcp server: shutting down (GOAWAY, draining up to " + drainTimeout.toSeconds() + " s)");
            err.flush();
            server.close();
            stopped.countDown();
        }, "mcp-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String shown = server.address().getAddress().isAnyLocalAddress() ? host : server.address().getAddress().getHostAddress();
        out.println("mcp server listening on " + shown + ":" + server.address().getPort() + " (" + server.transport()
                + (tlsCert != null ? ", tls" : "") + ", store "
                + ("sqlite".equals(store) ? dataDir.resolve("mcp.db") : "memory") + ")");
        out.flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
