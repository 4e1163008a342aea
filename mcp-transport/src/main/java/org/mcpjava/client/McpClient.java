package org.mcpjava.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import org.mcpjava.codec.CodecRegistry;
import org.mcpjava.codec.PayloadCodec;
import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.core.OutboundDecorator;
import org.mcpjava.core.Interceptor;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Message;
import org.mcpjava.core.MessageListener;
import org.mcpjava.core.Payload;
import org.mcpjava.core.RequestHandler;
import org.mcpjava.core.Router;
import org.mcpjava.core.Ticker;
import org.mcpjava.transport.FrameDecoderHandler;
import org.mcpjava.transport.TlsOptions;
import org.mcpjava.transport.internal.Builtins;
import org.mcpjava.transport.internal.ClientConnection;
import org.mcpjava.transport.internal.EngineSettings;
import org.mcpjava.transport.internal.SslContexts;
import org.mcpjava.transport.internal.Transports;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameHeader;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

/**
 * A client holding one MCP/1 connection to a server.
 *
 * <pre>{@code
 * try (McpClient client = McpClient.builder().address("localhost", 19779).connect()) {
 *     Greeting g = client.callBlocking(0x0001, new Hello("ada"), Greeting.class);
 * }
 * }</pre>
 *
 * <p>All methods are thread-safe. Futures complete on the connection's event loop: do not block
 * in their callbacks. A call's reply {@link Payload} belongs to the caller, who releases it.
 */
public final class McpClient implements AutoCloseable {
    private final Builder config;
    private final ClientResources resources;
    private final boolean ownsResources;
    private final ClientConnection connection;
    private final ClientPubSub pubSub;
    private final Duration callTimeout;

    private McpClient(Builder config, ClientResources resources, boolean ownsResources, ClientConnection connection,
                      ClientPubSub pubSub) {
        this.config = config;
        this.resources = resources;
        this.ownsResources = ownsResources;
        this.connection = connection;
        this.pubSub = pubSub;
        this.callTimeout = config.callTimeout;
    }

    /** A builder; see its setters for the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The connection, for lower-level use (server-initiated calls come in through the builder's handlers). */
    public Connection connection() {
        return connection;
    }

    /** The server's SERVER_NAME. */
    public String serverName() {
        return connection.serverName();
    }

    /** The session id the server assigned, as hex. */
    public String sessionId() {
        return connection.sessionId();
    }

    /** Calls {@code opcode} with the default deadline. The reply is the caller's to release. */
    public CompletableFuture<Payload> call(int opcode, Payload payload) {
        return connection.call(opcode, payload, callTimeout);
    }

    /** Calls {@code opcode} with a deadline ({@code null} or zero for none). */
    public CompletableFuture<Payload> call(int opcode, Payload payload, Duration timeout) {
        return connection.call(opcode, payload, timeout);
    }

    /**
     * A typed call: encodes {@code request} with the preferred codec both sides accept, decodes the
     * reply into {@code responseType}.
     */
    public <T> CompletableFuture<T> call(int opcode, Object request, Class<T> responseType) {
        return call(opcode, request, responseType, callTimeout);
    }

    /** A typed call with its own deadline. */
    public <T> CompletableFuture<T> call(int opcode, Object request, Class<T> responseType, Duration timeout) {
        Payload payload;
        try {
            payload = encode(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return connection.call(opcode, payload, timeout).thenApply(reply -> {
            try {
                return config.codecs.decode(reply, responseType);
            } finally {
                reply.release();
            }
        });
    }

    /** A typed call that waits for its answer; failures are thrown as {@link McpException}. */
    public <T> T callBlocking(int opcode, Object request, Class<T> responseType) {
        return await(call(opcode, request, responseType));
    }

    /** Sends a one-way NOTIFY with {@code message} encoded like a typed call's request. */
    public CompletableFuture<Void> notify(int opcode, Object message) {
        try {
            return connection.notify(opcode, encode(message));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ------------------------------------------------------------ publish / subscribe

    /**
     * Publishes {@code payload} (ownership passes) to {@code topic}. Completes when the server took
     * responsibility: at once for QoS 0 (written), on PUBACK for QoS 1, on PUBCOMP for QoS 2. Waits
     * (backpressure) while the server's RECEIVE_WINDOW is full; fails with the NACK's code when the
     * server refuses it for good (e.g. TOPIC_INVALID), retrying NACK(OVERLOADED) with backoff.
     */
    public CompletableFuture<Void> publish(String topic, int qos, boolean retain, Payload payload) {
        return publish(topic, qos, retain, payload, 0);
    }

    /** {@link #publish(String, int, boolean, Payload)} with MESSAGE_EXPIRY_S (0 for none). */
    public CompletableFuture<Void> publish(String topic, int qos, boolean retain, Payload payload, long expirySeconds) {
        return pubSub.publish(connection, topic, qos, retain, payload, expirySeconds);
    }

    /** Publishes {@code value} encoded like a typed call's request (not retained). */
    public CompletableFuture<Void> publish(String topic, int qos, Object value) {
        Payload payload;
        try {
            payload = encode(value);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return publish(topic, qos, false, payload);
    }

    /**
     * Subscribes to {@code filter} (wildcards {@code +} and {@code #}, or {@code $share/GROUP/FILTER})
     * at up to {@code maxQos}; {@code listener} receives its messages on the event loop. Completes
     * with the granted QoS, or fails with TOPIC_INVALID if the server refused the filter.
     */
    public CompletableFuture<Integer> subscribe(String filter, int maxQos, MessageListener listener) {
        Map<String, Integer> one = new LinkedHashMap<>();
        one.put(filter, maxQos);
        return pubSub.subscribe(connection, one, listener).thenApply(codes -> {
            if (codes.length == 0 || codes[0] == 0x80) {
                throw new McpException(ErrorCode.TOPIC_INVALID, "server refused the subscription to " + filter);
            }
            return codes[0];
        });
    }

    /** Subscribes to several filters (filter to max QoS) with one listener; completes with SUBACK's codes. */
    public CompletableFuture<int[]> subscribe(Map<String, Integer> filters, MessageListener listener) {
        return pubSub.subscribe(connection, new LinkedHashMap<>(filters), listener);
    }

    /** Unsubscribes from {@code filters}. */
    public CompletableFuture<Void> unsubscribe(String... filters) {
        return pubSub.unsubscribe(connection, java.util.Arrays.asList(filters));
    }

    /** The pub/sub session this client carries (pass it to the next client to resume). */
    public ClientSession session() {
        return config.session;
    }

    /** Whether the server resumed an existing session (SESSION_PRESENT). */
    public boolean sessionPresent() {
        return connection.sessionPresent();
    }

    /** Decodes a received message's payload into {@code type} with its codec. */
    public <T> T decode(Message message, Class<T> type) {
        Payload p = Payload.of(message.codec(), io.netty.buffer.Unpooled.wrappedBuffer(message.payload()));
        try {
            return config.codecs.decode(p, type);
        } finally {
            p.release();
        }
    }

    /** Round-trip time of one PING. */
    public CompletableFuture<Duration> ping() {
        return connection.ping();
    }

    /** The server's INFO document (JSON text). */
    public CompletableFuture<String> info() {
        return connection.call(Builtins.INFO, Payload.empty(), callTimeout).thenApply(reply -> {
            try {
                return reply.data().toString(StandardCharsets.UTF_8);
            } finally {
                reply.release();
            }
        });
    }

    /** Encodes {@code value} with the codec a typed call would use. */
    public Payload encode(Object value) {
        if (value instanceof Payload) {
            return (Payload) value;
        }
        return config.codecs.encode(PooledByteBufAllocator.DEFAULT, chooseCodec(value), value);
    }

    private int chooseCodec(Object value) {
        if (config.codec >= 0) {
            return config.codec;
        }
        Class<?> type = value == null ? Object.class : value.getClass();
        byte[] serverCodecs = connection.peerCodecs();
        for (PayloadCodec c : config.codecs.codecs()) {
            if (c.supports(type) && contains(serverCodecs, c.id())) {
                return c.id();
            }
        }
        throw new McpException(ErrorCode.UNSUPPORTED_CODEC, "no codec both sides accept can encode " + type.getName());
    }

    private static boolean contains(byte[] ids, int id) {
        for (byte b : ids) {
            if ((b & 0xFF) == id) {
                return true;
            }
        }
        return false;
    }

    /** Whether the connection is established and not going away. */
    public boolean isActive() {
        return connection.isActive();
    }

    /** Completes when the connection has closed. */
    public CompletableFuture<Void> closeFuture() {
        return connection.closeFuture();
    }

    /**
     * Graceful close: GOAWAY, wait for calls in flight (up to the drain timeout), close, and release
     * the resources this client created.
     */
    @Override
    public void close() {
        try {
            connection.goAway(ErrorCode.NO_ERROR, "client closing")
                    .orTimeout(config.drainTimeout.toMillis() + 2000, TimeUnit.MILLISECONDS)
                    .exceptionally(e -> null).join();
        } finally {
            connection.closeNow();
            connection.closeFuture().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
            if (ownsResources) {
                resources.close();
            }
        }
    }

    /**
     * {@link #close()} without blocking: GOAWAY, calls in flight finish (up to the drain timeout),
     * then the connection closes. Completes once it has closed (and the resources this client
     * created are released); never fails. Safe to call on an event loop.
     */
    public CompletableFuture<Void> closeAsync() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        // copy(): a timeout must not complete the connection's own close future.
        connection.goAway(ErrorCode.NO_ERROR, "client closing").copy()
                .orTimeout(config.drainTimeout.toMillis() + 2000, TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> {
                    connection.closeNow();
                    connection.closeFuture().whenComplete((x, y) -> {
                        if (ownsResources) {
                            // Not on the loop's own thread: shutting a group down waits for its threads.
                            CompletableFuture.runAsync(resources::close).whenComplete((z, w) -> done.complete(null));
                        } else {
                            done.complete(null);
                        }
                    });
                });
        return done;
    }

    /** Waits for {@code future}, rethrowing failures as {@link McpException} where they carry a code. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new McpException(ErrorCode.CANCELLED, "interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof McpException) {
                McpException m = (McpException) cause;
                throw new McpException(m.code(), m.detail(), m);
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new CompletionException(cause);
        }
    }

    /** Hears the server's GOAWAY on a client's connection ({@link Builder#onGoaway(GoawayListener)}). */
    @FunctionalInterface
    public interface GoawayListener {
        /**
         * Called on the event loop; must not block.
         *
         * @param code         GOAWAY's ERROR_CODE (NO_ERROR for a plain shutdown or rebalance)
         * @param message      GOAWAY's ERROR_MESSAGE, or {@code null}
         * @param lastStreamId the last request stream the server will still answer
         */
        void onGoaway(int code, String message, long lastStreamId);
    }

    /**
     * Client settings. Defaults: localhost:19779, codecs on the class path, keepalive 30 s,
     * handshake and connect timeouts 10 s, call deadline 30 s, MAX_FRAME 4 MiB.
     */
    public static final class Builder {
        private String host = "localhost";
        private int port = 19779;
        private TlsOptions tls;
        private String clientId = "mcp-java-client";
        private byte[] credentials;
        private CodecRegistry codecs;
        private int codec = -1;
        private Duration keepalive = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration callTimeout = Duration.ofSeconds(30);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private Duration housekeepingInterval;
        private int maxFrame = FrameHeader.DEFAULT_MAX_FRAME;
        private int receiveWindow = 1024;
        private int maxConcurrentRequests = 1024;
        private final Router.Builder router = Router.builder();
        private Ticker ticker = Ticker.system();
        private ClientResources resources;
        private ClientSession session;
        private MessageListener messageListener;
        private int maxWaitingPublishes = 10_000;
        private EngineObserver observer = EngineObserver.NONE;
        private OutboundDecorator decorator;
        private GoawayListener onGoaway;

        private Builder() {
        }

        /** The server to dial. */
        public Builder address(String host, int port) {
            if (host == null || port < 1 || port > 65535) {
                throw new IllegalArgumentException("bad address " + host + ":" + port);
            }
            this.host = host;
            this.port = port;
            return this;
        }

        /** Dial with TLS. */
        public Builder tls(TlsOptions tls) {
            this.tls = tls;
            return this;
        }

        /** CLIENT_ID sent in HELLO (1-256 bytes of UTF-8). */
        public Builder clientId(String clientId) {
            int len = clientId == null ? 0 : clientId.getBytes(StandardCharsets.UTF_8).length;
            if (len < 1 || len > 256) {
                throw new IllegalArgumentException("clientId must be 1-256 bytes: " + clientId);
            }
            this.clientId = clientId;
            return this;
        }

        /** A token sent as AUTH. */
        public Builder authToken(String token) {
            this.credentials = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** The codecs accepted (default: all on the class path). */
        public Builder codecs(CodecRegistry codecs) {
            this.codecs = codecs;
            return this;
        }

        /** Forces typed calls to encode with codec {@code id} (default: the first both sides accept). */
        public Builder codec(int id) {
            this.codec = id;
            return this;
        }

        /** The keepalive asked for (the server may lower it); zero for none. */
        public Builder keepalive(Duration keepalive) {
            this.keepalive = keepalive;
            return this;
        }

        /** TCP connect timeout. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** How long WELCOME may take. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        /** The deadline of calls that do not set their own ({@code null} or zero: none). */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = timeout;
            return this;
        }

        /** How long {@link McpClient#close()} waits for calls in flight. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = timeout;
            return this;
        }

        /** How often keepalive is checked (default: a quarter of the keepalive, 10 ms to 1 s). */
        public Builder housekeepingInterval(Duration interval) {
            this.housekeepingInterval = interval;
            return this;
        }

        /** The largest frame this client accepts. */
        public Builder maxFrame(int bytes) {
            this.maxFrame = EngineSettings.checkMaxFrame(bytes);
            return this;
        }

        /** Server-initiated requests in flight this client accepts. */
        public Builder maxConcurrentRequests(int requests) {
            this.maxConcurrentRequests = requests;
            return this;
        }

        /** Handles server-initiated requests for {@code opcode}. */
        public Builder handle(int opcode, RequestHandler handler) {
            router.handle(opcode, handler);
            return this;
        }

        /** Wraps server-initiated requests. */
        public Builder intercept(Interceptor interceptor) {
            router.intercept(interceptor);
            return this;
        }

        /** The clock for keepalive (tests move it by hand). */
        public Builder ticker(Ticker ticker) {
            this.ticker = ticker;
            return this;
        }

        /** Shared threads and timer; without it the client creates (and closes) its own, one thread. */
        public Builder resources(ClientResources resources) {
            this.resources = resources;
            return this;
        }

        /**
         * The pub/sub session to use or resume (default: a new one that ends with the connection).
         * Reuse the instance across clients to resume: unacknowledged publishes are re-sent and
         * QoS 2 stays exactly-once.
         */
        public Builder session(ClientSession session) {
            this.session = session;
            return this;
        }

        /**
         * Receives messages that no subscription's listener takes, notably those a resumed session
         * delivers before the application subscribed again.
         */
        public Builder messageListener(MessageListener listener) {
            this.messageListener = listener;
            return this;
        }

        /** QoS 1/2 publishes that may wait for the server's window before publish fails with OVERLOADED. */
        public Builder maxWaitingPublishes(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxWaitingPublishes must be >= 0: " + max);
            }
            this.maxWaitingPublishes = max;
            return this;
        }

        /** Receives engine events (frames, call latency), e.g. for metrics. */
        public Builder observer(EngineObserver observer) {
            this.observer = observer == null ? EngineObserver.NONE : observer;
            return this;
        }

        /** Adds metadata to outbound requests, notifications and publishes (e.g. W3C trace context). */
        public Builder decorator(OutboundDecorator decorator) {
            this.decorator = decorator;
            return this;
        }

        /**
         * Called on the event loop with LAST_STREAM_ID when the server sends GOAWAY: the connection
         * takes no new calls or publishes and closes once the server finished its accepted work.
         * Replaces a listener set before; see {@link #onGoaway(GoawayListener)} for GOAWAY's code.
         */
        public Builder onGoaway(LongConsumer listener) {
            this.onGoaway = listener == null ? null : (code, message, lastStreamId) -> listener.accept(lastStreamId);
            return this;
        }

        /**
         * Called on the event loop when the server sends GOAWAY, with its code (e.g.
         * SESSION_TAKEN_OVER: another connection resumed this session), message and LAST_STREAM_ID.
         * Replaces a listener set before.
         */
        public Builder onGoaway(GoawayListener listener) {
            this.onGoaway = listener;
            return this;
        }

        /** Connects and completes the handshake, waiting for both. */
        public McpClient connect() {
            return await(connectAsync());
        }

        /**
         * Connects asynchronously. Fails with UNAVAILABLE (refused, unreachable, timed out) or the
         * server's refusal (e.g. UNAUTHENTICATED).
         */
        public CompletableFuture<McpClient> connectAsync() {
            if (codecs == null) {
                codecs = CodecRegistry.discover();
            }
            boolean owns = resources == null;
            ClientResources res = owns ? ClientResources.create(1) : resources;
            Builtins.register(router, clientId, "client");
            long keepaliveMs = keepalive == null ? 0 : keepalive.toMillis();
            long housekeeping = EngineSettings.housekeepingMillis(housekeepingInterval, keepaliveMs, handshakeTimeout.toMillis());
            EngineSettings settings = new EngineSettings(ticker, res.timer(), router.build(), codecs, null,
                    maxFrame, receiveWindow, maxConcurrentRequests, keepaliveMs, handshakeTimeout.toMillis(),
                    housekeeping, drainTimeout.toMillis(), clientId, credentials, Runnable::run, observer, decorator);
            SslContext ssl;
            try {
                ssl = SslContexts.clientContext(tls);
            } catch (IllegalArgumentException e) {
                if (owns) {
                    res.close();
                }
                return CompletableFuture.failedFuture(e);
            }
            GoawayListener goaway = onGoaway;
            ClientConnection connection = new ClientConnection(settings, goaway == null ? null : goaway::onGoaway);
            if (session == null) {
                session = ClientSession.create(0);
            }
            ClientPubSub pubSub = new ClientPubSub(session, messageListener, maxWaitingPublishes);
            connection.pubSub(pubSub);
            Bootstrap bootstrap = new Bootstrap()
                    .group(res.group())
                    .channel(Transports.channelClass())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ChannelPipeline p = ch.pipeline();
                            if (ssl != null) {
                                p.addLast("tls", ssl.newHandler(ch.alloc(), host, port));
                            }
                            p.addLast("framing", new FrameDecoderHandler(maxFrame));
                            p.addLast("flush", new FlushConsolidationHandler(256, Boolean.parseBoolean(System.getProperty("mcp.flushConsolidateIdle", "true"))));
                            p.addLast("mcp", connection);
                        }
                    });
            CompletableFuture<McpClient> result = new CompletableFuture<>();
            ChannelFuture dial = bootstrap.connect(new InetSocketAddress(host, port));
            dial.addListener(f -> {
                if (!f.isSuccess()) {
                    Throwable cause = f.cause();
                    String why = cause instanceof ConnectException ? "connection refused" : String.valueOf(cause.getMessage());
                    result.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE,
                            "cannot connect to " + host + ":" + port + ": " + why, cause));
                }
            });
            connection.handshakeFuture().whenComplete((c, e) -> {
                if (e == null) {
                    result.complete(new McpClient(this, res, owns, connection, pubSub));
                } else {
                    result.completeExceptionally(e);
                }
            });
            result.whenComplete((c, e) -> {
                if (e != null) {
                    dial.channel().close();
                    if (owns) {
                        // Not on the loop's own thread: shutting a group down waits for its threads.
                        CompletableFuture.runAsync(res::close);
                    }
                }
            });
            return result.orTimeout(connectTimeout.toMillis() + handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionallyCompose(e -> {
                        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                        if (t instanceof TimeoutException) {
                            return CompletableFuture.failedFuture(new McpException(ErrorCode.UNAVAILABLE,
                                    "no WELCOME from " + host + ":" + port + " in time"));
                        }
                        return CompletableFuture.failedFuture(t);
                    });
        }
    }
}
