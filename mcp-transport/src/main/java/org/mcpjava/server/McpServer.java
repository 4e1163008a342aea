package org.mcpjava.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.mcpjava.broker.Broker;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.codec.CodecRegistry;
import org.mcpjava.core.Authenticator;
import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.core.OutboundDecorator;
import org.mcpjava.core.Interceptor;
import org.mcpjava.core.McpException;
import org.mcpjava.core.RequestHandler;
import org.mcpjava.core.Router;
import org.mcpjava.core.Ticker;
import org.mcpjava.transport.FrameDecoderHandler;
import org.mcpjava.transport.TlsOptions;
import org.mcpjava.transport.internal.Builtins;
import org.mcpjava.transport.internal.ConnectionLimiter;
import org.mcpjava.transport.internal.EngineSettings;
import org.mcpjava.transport.internal.ServerConnection;
import org.mcpjava.transport.internal.SslContexts;
import org.mcpjava.transport.internal.Transports;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An MCP/1 server: accepts connections, runs the handshake, dispatches requests to the handlers
 * registered on its builder, answers the built-in ECHO and INFO, and shuts down gracefully.
 *
 * <pre>{@code
 * McpServer server = McpServer.builder()
 *         .port(19779)
 *         .handle(0x0001, Handlers.sync(req -> Payload.utf8("hello")))
 *         .build()
 *         .start();
 * ...
 * server.close(); // GOAWAY to everyone, finish accepted work, then close
 * }</pre>
 *
 * <p>Thread-safe. Handlers run on the connection's event loop (see {@link RequestHandler}).
 */
public final class McpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(McpServer.class);

    private final Builder config;
    private final EngineSettings settings;
    private final SslContext sslContext;
    private final ConnectionLimiter limiter;
    private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
    private final HashedWheelTimer timer;
    private final ExecutorService blockingExecutor;
    private final Broker broker;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private volatile boolean draining;
    private volatile CompletableFuture<Void> terminated;

    private McpServer(Builder b) {
        this.config = b;
        this.timer = new HashedWheelTimer(new DefaultThreadFactory("mcp-server-timer", true), 10, TimeUnit.MILLISECONDS);
        this.blockingExecutor = Executors.newCachedThreadPool(new DefaultThreadFactory("mcp-server-blocking", true));
        Builtins.register(b.router, b.name, "server");
        this.settings = new EngineSettings(b.ticker, timer, b.router.build(), b.codecs, b.authenticator,
                b.maxFrame, b.receiveWindow, b.maxConcurrentRequests, b.keepalive.toMillis(),
                b.handshakeTimeout.toMillis(),
                EngineSettings.housekeepingMillis(b.housekeepingInterval, b.keepalive.toMillis(), b.handshakeTimeout.toMillis()),
                b.drainTimeout.toMillis(), b.name, null,
                blockingExecutor, b.observer, b.decorator);
        this.limiter = new ConnectionLimiter(b.maxConnections, b.maxConnectionsPerAddress);
        this.broker = b.pubsub ? Broker.open(b.brokerOptions != null ? b.brokerOptions : BrokerOptions.builder().build()) : null;
        this.sslContext = SslContexts.serverContext(b.tls);
    }

    /** A builder with the defaults of the spec and of this implementation. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds and starts accepting connections.
     *
     * @throws McpException UNAVAILABLE if the address cannot be bound
     */
    public synchronized McpServer start() {
        if (serverChannel != null) {
            throw new IllegalStateException("already started");
        }
        bossGroup = Transports.newGroup(1, "mcp-accept");
        workerGroup = Transports.newGroup(config.workerThreads, "mcp-io");
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(Transports.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Netty's pooled allocator: its slices are recycled and its NIO views cached, so a
                // frame costs no allocation on the event loop (4.2's default adaptive one allocates both).
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                // A client that half-closes still gets its answers, or the ERROR for a frame it cut short.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeBufferLow, config.writeBufferHigh))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (sslContext != null) {
                            SslHandler tls = sslContext.newHandler(ch.alloc());
                            // Bounds the TLS handshake too, also of a connection waiting to be refused.
                            tls.setHandshakeTimeoutMillis(config.handshakeTimeout.toMillis());
                            p.addLast("tls", tls);
                        }
                        // After TLS, so that a refusal is encrypted; the place is still taken at accept.
                        p.addLast("limits", limiter.newHandler(sslContext != null));
                        p.addLast("framing", new FrameDecoderHandler(config.maxFrame));
                        p.addLast("flush", new FlushConsolidationHandler(256, Boolean.parseBoolean(System.getProperty("mcp.flushConsolidateIdle", "true"))));
                        p.addLast("mcp", new ServerConnection(settings, broker, connections::add, connections::remove));
                    }
                });
        try {
            serverChannel = bootstrap.bind(config.host, config.port).sync().channel();
        } catch (Exception e) {
            shutdownGroups();
            throw new McpException(ErrorCode.UNAVAILABLE, "cannot listen on " + config.host + ":" + config.port
                    + ": " + e.getMessage(), e);
        }
        log.info("MCP server {} listening on {} ({}{})", config.name, address(), Transports.name(),
                sslContext == null ? "" : ", TLS " + SslContexts.providerName()
                        + (config.tls.clientAuth() == TlsOptions.ClientAuth.REQUIRE ? " mutual" : ""));
        return this;
    }

    /** The bound address (with the real port when started with port 0). */
    public InetSocketAddress address() {
        return serverChannel == null ? null : (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * The connections past the handshake and not yet closed, for server-initiated requests and
     * notifications: a snapshot in no particular order. It includes connections still draining
     * after a GOAWAY from either side, which take no new requests ({@link Connection#isActive()}
     * is false); find a client's by {@link Connection#sessionId()}.
     */
    public List<Connection> connections() {
        return new ArrayList<>(connections);
    }

    /**
     * Connections open at the socket level: those admitted (including those still in the handshake)
     * and those over a connection limit that are being refused.
     */
    public int openSockets() {
        return limiter.open();
    }

    /** The publish/subscribe broker, or {@code null} when pub/sub is disabled. */
    public Broker broker() {
        return broker;
    }

    /**
     * Closes the connection carrying session {@code sessionIdHex} gracefully (GOAWAY with
     * {@code reason}, accepted work finished, then close) and, with pub/sub, ends the session so it
     * cannot be resumed. For a durable session with no connection, ends it at once. Completes with
     * {@code false} if no such connection or session exists, else {@code true} once it is closed.
     */
    public CompletableFuture<Boolean> closeSession(String sessionIdHex, String reason) {
        CompletableFuture<Void> closed = null;
        for (ServerConnection c : connections) {
            if (c.sessionId().equalsIgnoreCase(sessionIdHex)) {
                log.info("{}: closing session by request: {}", c, reason);
                closed = c.goAway(ErrorCode.NO_ERROR, reason);
                break;
            }
        }
        org.mcpjava.broker.Session session = broker == null ? null : broker.session(sessionIdHex);
        if (closed == null) {
            return CompletableFuture.completedFuture(session != null && broker.discard(session));
        }
        return closed.thenApply(v -> {
            if (session != null) {
                broker.discard(session);
            }
            return true;
        });
    }

    /** Whether a graceful shutdown is in progress. */
    public boolean isDraining() {
        return draining;
    }

    /** The transport in use: {@code epoll} or {@code nio}. */
    public String transport() {
        return Transports.name();
    }

    /**
     * Graceful shutdown: stop accepting, send GOAWAY to every connection, let each finish the work it
     * accepted (up to the drain timeout), then release everything. Idempotent.
     */
    public synchronized CompletableFuture<Void> shutdown() {
        if (terminated != null) {
            return terminated;
        }
        draining = true;
        terminated = new CompletableFuture<>();
        if (serverChannel == null) {
            releaseResources();
            terminated.complete(null);
            return terminated;
        }
        serverChannel.close().awaitUninterruptibly();
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (ServerConnection c : connections) {
            closing.add(c.goAway(ErrorCode.NO_ERROR, "server shutting down"));
        }
        // The last connection's close future completes on its event loop; releasing the groups there
        // would wait for that very thread to stop. Release from a thread of our own instead.
        CompletableFuture.allOf(closing.toArray(new CompletableFuture[0]))
                .orTimeout(config.drainTimeout.toMillis() + 5000, TimeUnit.MILLISECONDS)
                .whenCompleteAsync((v, e) -> {
                    releaseResources();
                    terminated.complete(null);
                }, task -> new DefaultThreadFactory("mcp-server-shutdown", true).newThread(task).start());
        return terminated;
    }

    /** {@link #shutdown()} and wait for it. */
    @Override
    public void close() {
        shutdown().join();
    }

    private void releaseResources() {
        shutdownGroups();
        timer.stop();
        if (broker != null) {
            broker.close();
        }
        blockingExecutor.shutdownNow();
        log.info("MCP server {} stopped", config.name);
    }

    private void shutdownGroups() {
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * The server's settings. Defaults: port 19779 on all interfaces, codecs found on the class path,
     * MAX_FRAME 4 MiB, 1024 concurrent requests per connection, keepalive 30 s, handshake timeout
     * 10 s, drain timeout 30 s, 10000 connections and 1000 per remote address.
     */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 19779;
        private final Router.Builder router = Router.builder();
        private CodecRegistry codecs;
        private Authenticator authenticator;
        private TlsOptions tls;
        private int maxFrame = FrameHeader.DEFAULT_MAX_FRAME;
        private int receiveWindow = 1024;
        private int maxConcurrentRequests = 1024;
        private Duration keepalive = Duration.ofSeconds(30);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration drainTimeout = Duration.ofSeconds(30);
        private Duration housekeepingInterval;
        private int maxConnections = 10_000;
        private int maxConnectionsPerAddress = 1_000;
        private int writeBufferLow = 256 * 1024;
        private int writeBufferHigh = 1024 * 1024;
        private int workerThreads;
        private Ticker ticker = Ticker.system();
        private String name = "mcp-java";
        private boolean pubsub = true;
        private EngineObserver observer = EngineObserver.NONE;
        private OutboundDecorator decorator;
        private BrokerOptions brokerOptions;

        private Builder() {
        }

        /** The address to listen on (default all interfaces). */
        public Builder host(String host) {
            this.host = require(host, "host");
            return this;
        }

        /** The TCP port (default 19779; 0 picks a free port, see {@link McpServer#address()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535: " + port);
            }
            this.port = port;
            return this;
        }

        /** Registers a handler for {@code opcode}. */
        public Builder handle(int opcode, RequestHandler handler) {
            router.handle(opcode, handler);
            return this;
        }

        /** Adds an interceptor around every inbound request; the first added runs first. */
        public Builder intercept(Interceptor interceptor) {
            router.intercept(interceptor);
            return this;
        }

        /** The codecs accepted, in order of preference (default: all found on the class path). */
        public Builder codecs(CodecRegistry codecs) {
            this.codecs = require(codecs, "codecs");
            return this;
        }

        /** Checks HELLO credentials (default: everyone is accepted). */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        /** Accepts exactly the clients whose AUTH is one of {@code tokens} (compared in constant time). */
        public Builder authTokens(String... tokens) {
            if (tokens.length == 0) {
                throw new IllegalArgumentException("at least one token");
            }
            List<byte[]> accepted = new ArrayList<>();
            for (String t : tokens) {
                accepted.add(require(t, "token").getBytes(StandardCharsets.UTF_8));
            }
            this.authenticator = (clientId, credentials, remote) -> {
                for (byte[] t : accepted) {
                    if (MessageDigest.isEqual(t, credentials)) {
                        return CompletableFuture.completedFuture(clientId == null ? "token" : clientId);
                    }
                }
                return CompletableFuture.failedFuture(new McpException(ErrorCode.UNAUTHENTICATED, "bad token"));
            };
            return this;
        }

        /** Serves TLS (mutual TLS when the options require client certificates). */
        public Builder tls(TlsOptions tls) {
            this.tls = tls;
            return this;
        }

        /** The largest frame accepted (MAX_FRAME), at least 22 bytes. */
        public Builder maxFrame(int bytes) {
            this.maxFrame = EngineSettings.checkMaxFrame(bytes);
            return this;
        }

        /** QoS 1/2 messages in flight accepted per connection (RECEIVE_WINDOW), 1-65535. */
        public Builder receiveWindow(int messages) {
            if (messages < 1 || messages > 0xFFFF) {
                throw new IllegalArgumentException("receiveWindow must be 1-65535: " + messages);
            }
            this.receiveWindow = messages;
            return this;
        }

        /** Requests in flight per connection before OVERLOADED. */
        public Builder maxConcurrentRequests(int requests) {
            if (requests < 1) {
                throw new IllegalArgumentException("maxConcurrentRequests must be positive: " + requests);
            }
            this.maxConcurrentRequests = requests;
            return this;
        }

        /** The keepalive this server allows at most (it lowers a client's longer one); zero disables. */
        public Builder keepalive(Duration keepalive) {
            this.keepalive = nonNegative(keepalive, "keepalive");
            return this;
        }

        /** How long a new connection may take to send HELLO (with TLS, also to finish the TLS handshake). */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive(timeout, "handshakeTimeout");
            return this;
        }

        /** How long a graceful shutdown waits for accepted work. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = nonNegative(timeout, "drainTimeout");
            return this;
        }

        /** How often keepalive and handshake deadlines are checked (default: a quarter of the shorter). */
        public Builder housekeepingInterval(Duration interval) {
            this.housekeepingInterval = positive(interval, "housekeepingInterval");
            return this;
        }

        /**
         * Connections accepted in total and from one remote address. One more is told OVERLOADED
         * (total) or QUOTA_EXCEEDED (address) on stream 0 and closed; with TLS once its TLS
         * handshake is done, so that the client can read it. Refused connections hold no place,
         * and at most 256 are being refused at once:
         * beyond that a flood is closed without an answer.
         */
        public Builder maxConnections(int total, int perAddress) {
            if (total < 1 || perAddress < 1) {
                throw new IllegalArgumentException("connection limits must be positive: " + total + ", " + perAddress);
            }
            this.maxConnections = total;
            this.maxConnectionsPerAddress = perAddress;
            return this;
        }

        /** Write-buffer watermarks per connection: above {@code high} the server stops reading from it. */
        public Builder writeBufferWatermarks(int low, int high) {
            if (low < 1 || high < low) {
                throw new IllegalArgumentException("watermarks need 0 < low <= high: " + low + ", " + high);
            }
            this.writeBufferLow = low;
            this.writeBufferHigh = high;
            return this;
        }

        /** I/O threads (0 = Netty's default of twice the cores). */
        public Builder workerThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("workerThreads must be >= 0: " + threads);
            }
            this.workerThreads = threads;
            return this;
        }

        /** The clock for keepalive and handshake timeouts (tests move it by hand). */
        public Builder ticker(Ticker ticker) {
            this.ticker = require(ticker, "ticker");
            return this;
        }

        /**
         * Publish/subscribe settings, notably the session store (default: in memory; the CLI server
         * defaults to SQLite on disk). The server closes the store when it stops.
         */
        public Builder broker(BrokerOptions options) {
            this.brokerOptions = require(options, "broker options");
            this.pubsub = true;
            return this;
        }

        /** Disables publish/subscribe: PUBLISH is refused with NACK(NOT_FOUND), SUBSCRIBE with 0x80. */
        public Builder disablePubSub() {
            this.pubsub = false;
            return this;
        }

        /** Receives engine events (connections, frames, request latency), e.g. for metrics. */
        public Builder observer(EngineObserver observer) {
            this.observer = require(observer, "observer");
            return this;
        }

        /** Adds metadata (e.g. trace context) to the requests the server sends to clients. */
        public Builder decorator(OutboundDecorator decorator) {
            this.decorator = decorator;
            return this;
        }

        /** SERVER_NAME announced in WELCOME and INFO. */
        public Builder name(String name) {
            this.name = require(name, "name");
            return this;
        }

        /** The server (not started). */
        public McpServer build() {
            if (codecs == null) {
                codecs = CodecRegistry.discover();
            }
            return new McpServer(this);
        }

        /** Builds and starts the server. */
        public McpServer start() {
            return build().start();
        }

        private static <T> T require(T value, String what) {
            if (value == null) {
                throw new IllegalArgumentException(what + " is null");
            }
            return value;
        }

        private static Duration nonNegative(Duration d, String what) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be zero or positive: " + d);
            }
            return d;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
