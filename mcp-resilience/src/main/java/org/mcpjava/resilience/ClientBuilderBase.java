package org.mcpjava.resilience;

import org.mcpjava.client.ClientResources;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.UnaryOperator;

/**
 * The settings {@link ResilientClient.Builder} and {@link ConnectionPool.Builder} share: where to
 * connect, how each connection is configured, and the reconnect, retry and health policies. Each
 * setter validates its value; the builders check the whole in {@code build()}.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class ClientBuilderBase<B extends ClientBuilderBase<B>> {
    List<Endpoint> endpoints = new ArrayList<>();
    String clientId = "mcp-java-client";
    UnaryOperator<McpClient.Builder> clientConfig = b -> b;
    ReconnectPolicy reconnectPolicy = ReconnectPolicy.defaults();
    RetryPolicy retryPolicy = RetryPolicy.defaults();
    HealthPolicy healthPolicy = HealthPolicy.defaults();
    Duration callTimeout = Duration.ofSeconds(30);
    boolean waitForReady;
    int maxConcurrentRequests = 1024;
    Scheduler scheduler;
    ClientResources resources;
    DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    final List<StateListener> stateListeners = new ArrayList<>();
    EngineObserver observer = EngineObserver.NONE;
    Duration goawayGrace = Duration.ofSeconds(10);
    Set<Integer> terminalRefusals = codes(ErrorCode.UNAUTHENTICATED, ErrorCode.PERMISSION_DENIED,
            ErrorCode.UNSUPPORTED_VERSION);

    ClientBuilderBase() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The servers, as {@code host:port}, in order of preference. Replaces earlier ones. */
    public B endpoints(String... endpoints) {
        List<Endpoint> parsed = new ArrayList<>();
        for (String e : endpoints) {
            parsed.add(Endpoint.parse(e));
        }
        return endpoints(parsed);
    }

    /** The servers, in order of preference. Replaces earlier ones. */
    public B endpoints(List<Endpoint> endpoints) {
        if (endpoints == null || endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one endpoint is needed");
        }
        this.endpoints = new ArrayList<>(endpoints);
        return self();
    }

    /**
     * CLIENT_ID sent in HELLO on every connection (default {@code mcp-java-client}); a
     * {@link ResilientClient} also names its default offline queue file after it.
     */
    public B clientId(String clientId) {
        int len = clientId == null ? 0 : clientId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (len < 1 || len > 256) {
            throw new IllegalArgumentException("clientId must be 1-256 bytes: " + clientId);
        }
        this.clientId = clientId;
        return self();
    }

    /**
     * Settings of each connection (credentials, TLS, codecs, keepalive, timeouts, server-
     * initiated handlers), applied to a fresh {@link McpClient.Builder} for every dial. The address,
     * I/O resources, session, message listener, GOAWAY hook and observer are the resilient client's
     * and are set after this.
     */
    public B clientConfig(UnaryOperator<McpClient.Builder> config) {
        this.clientConfig = Objects.requireNonNull(config, "clientConfig");
        return self();
    }

    /** When to dial again after failures (default {@link ReconnectPolicy#defaults()}). */
    public B reconnectPolicy(ReconnectPolicy policy) {
        this.reconnectPolicy = Objects.requireNonNull(policy, "reconnectPolicy");
        return self();
    }

    /** Which failed calls are tried again (default {@link RetryPolicy#defaults()}). */
    public B retryPolicy(RetryPolicy policy) {
        this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
        return self();
    }

    /** How connection health is judged (default {@link HealthPolicy#defaults()}). */
    public B healthPolicy(HealthPolicy policy) {
        this.healthPolicy = Objects.requireNonNull(policy, "healthPolicy");
        return self();
    }

    /** The deadline of calls that set none (default 30 s); {@code null} for none. */
    public B callTimeout(Duration timeout) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("callTimeout must be positive or null: " + timeout);
        }
        this.callTimeout = timeout;
        return self();
    }

    /**
     * What calls that do not say do while there is no connection: wait for one up to their deadline
     * ({@code true}) or fail at once with UNAVAILABLE ({@code false}, the default).
     */
    public B waitForReady(boolean waitForReady) {
        this.waitForReady = waitForReady;
        return self();
    }

    /** Calls in flight per connection (default 1024); more wait for room. */
    public B maxConcurrentRequests(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConcurrentRequests must be >= 1: " + max);
        }
        this.maxConcurrentRequests = max;
        return self();
    }

    /**
     * The clock and timer (default: a thread of the client's own, on the system clock). Tests pass
     * one they move by hand. The client does not close a scheduler it was given.
     */
    public B scheduler(Scheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        return self();
    }

    /** Shared I/O threads (default: the client creates its own and closes them). */
    public B resources(ClientResources resources) {
        this.resources = Objects.requireNonNull(resources, "resources");
        return self();
    }

    /** The source of jitter, numbers in [0, 1) (default: {@link ThreadLocalRandom}). */
    public B random(DoubleSupplier random) {
        this.random = Objects.requireNonNull(random, "random");
        return self();
    }

    /** Adds a listener of state changes, told from the first change on. */
    public B stateListener(StateListener listener) {
        this.stateListeners.add(Objects.requireNonNull(listener, "stateListener"));
        return self();
    }

    /** Receives the engine events of every connection, e.g. for metrics. */
    public B observer(EngineObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        return self();
    }

    /**
     * How long a connection that got GOAWAY may take to finish before it is closed from this side
     * (default 10 s). A session connection is resumed elsewhere only once the old one has closed. In
     * a pool, also how long a connection replaced while it still works (bad health, fail-back) may
     * keep its calls before it is closed (gracefully) anyway.
     */
    public B goawayGrace(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("goawayGrace must be zero or positive: " + grace);
        }
        this.goawayGrace = grace;
        return self();
    }

    /**
     * The codes with which a server's refusal of the handshake is final (default UNAUTHENTICATED,
     * PERMISSION_DENIED and UNSUPPORTED_VERSION): dialing that endpoint again would get the same
     * answer, so it is not dialed again. The other endpoints are still tried (at once, not counted
     * as a failed round); once every endpoint refused so, the client (a pool slot) stops: state
     * CLOSED with the server's {@link org.mcpjava.core.McpException} as the change's cause, and
     * calls that wait fail with it. Any other refusal (OVERLOADED at a connection limit,
     * QUOTA_EXCEEDED, UNAVAILABLE) is retried with backoff. No codes: every refusal is retried.
     * Replaces earlier ones.
     */
    public B terminalRefusals(ErrorCode... codes) {
        this.terminalRefusals = codes(codes);
        return self();
    }

    private static Set<Integer> codes(ErrorCode... codes) {
        Set<Integer> out = new TreeSet<>();
        for (ErrorCode c : codes) {
            if (c == null || c == ErrorCode.NO_ERROR) {
                throw new IllegalArgumentException("terminalRefusals must be error codes, not " + c);
            }
            out.add(c.code());
        }
        return Collections.unmodifiableSet(out);
    }

    /** The client id, then the application's settings, for each connection's builder. */
    UnaryOperator<McpClient.Builder> connectionConfig() {
        String id = clientId;
        UnaryOperator<McpClient.Builder> config = clientConfig;
        return b -> config.apply(b.clientId(id));
    }

    void validateCommon() {
        if (endpoints.isEmpty()) {
            throw new IllegalStateException("no endpoints: call endpoints(...)");
        }
    }
}
