package org.mcpjava.resilience;

import org.mcpjava.broker.topic.Topics;
import org.mcpjava.client.ClientSession;
import org.mcpjava.core.McpException;
import org.mcpjava.core.MessageListener;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.internal.CallDispatcher;
import org.mcpjava.resilience.internal.ClientLifecycle;
import org.mcpjava.resilience.internal.ConnectionSupervisor;
import org.mcpjava.resilience.internal.Link;
import org.mcpjava.resilience.internal.LinkSelector;
import org.mcpjava.resilience.internal.McpDialer;
import org.mcpjava.resilience.internal.Outbox;
import org.mcpjava.resilience.internal.StateTracker;
import org.mcpjava.resilience.internal.SubscriptionRegistry;
import org.mcpjava.resilience.internal.SupervisorSettings;
import org.mcpjava.wire.Codecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A client that keeps one MCP/1 session alive across network loss, server restarts and failover.
 *
 * <pre>{@code
 * ResilientClient client = ResilientClient.builder()
 *         .endpoints("gw1:19779", "gw2:19779")
 *         .sessionExpiry(Duration.ofHours(1))
 *         .offlineQueue(Path.of("outbox.db"))
 *         .build()
 *         .start();
 * client.subscribe("commands/#", 1, m -> handle(m));
 * client.publish("sensors/t1", 1, Payload.utf8("21.5"));              // queued if offline, sent in order later
 * client.call(0x0001, request, CallOptions.defaults().waitForReady(true));
 * }</pre>
 *
 * <p><b>Connection.</b> {@link #start()} dials the endpoints in order; a lost connection is dialed
 * again at once, then with the {@link ReconnectPolicy}'s backoff; GOAWAY moves on to the next
 * endpoint; an unhealthy connection ({@link HealthPolicy}) is replaced. One dial at a time. The state
 * is {@link #state()}; listeners hear every change.
 *
 * <p><b>When the server says no.</b> A handshake refused with a terminal code
 * ({@link Builder#terminalRefusals}: by default a bad token, another principal's session, an
 * unsupported version) is not dialed again; once every endpoint refused so, and at once when the
 * session is taken over by another connection (GOAWAY(SESSION_TAKEN_OVER)), the client stops: state
 * CLOSED with the server's {@link McpException} as the cause, and calls, publishes and subscriptions
 * that wait, or come later, fail with it. Unacknowledged messages stay in the offline queue for a
 * later client. The application still calls {@link #close()}.
 *
 * <p><b>Session.</b> One {@link ClientSession} (expiry {@link Builder#sessionExpiry}) carries over
 * every connection, so a server that still holds it resumes it: subscriptions continue,
 * unacknowledged messages are re-sent both ways. If it was not resumed, the client subscribes again.
 *
 * <p><b>Publishing.</b> {@link #publish} never fails for lack of a connection: the message goes
 * through the outbox, journaled in the {@link OfflineQueue} (a SQLite file by default; QoS 1/2
 * always, QoS 0 when accepted offline), is sent in order when connected and stays until the server acknowledges it. The future
 * completes on PUBACK / PUBCOMP (QoS 0: written), even across reconnects. Bounded; see
 * {@link OverflowPolicy}.
 *
 * <p><b>Calls.</b> Fail fast with UNAVAILABLE while disconnected, or wait for the connection up to
 * their deadline ({@link CallOptions#waitForReady(boolean)}); idempotent calls are retried per the
 * {@link RetryPolicy}.
 *
 * <p><b>Threads.</b> Thread-safe. Futures and message listeners run on I/O threads, state listeners
 * on the scheduler thread: do not block in them, and do not call {@link #close()} from them.
 */
public final class ResilientClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResilientClient.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;
    private final ClientLifecycle lifecycle;
    private final OfflineQueue queue;
    private final boolean ownsQueue;
    private final ClientSession session;
    private final StateTracker states;
    private final Outbox outbox;
    private final SubscriptionRegistry subscriptions;
    private final CallDispatcher calls;
    private final ConnectionSupervisor supervisor;
    private final LongSupplier wallClock;
    private final Duration messageExpiry;

    private ResilientClient(Builder b) {
        this.name = "resilient-client-" + COUNTER.incrementAndGet();
        // First, as it can fail (a file in use): nothing else is created yet.
        this.ownsQueue = b.queue == null;
        this.queue = b.queue != null ? b.queue
                : SqliteOfflineQueue.open(b.queueFile != null ? b.queueFile : defaultQueueFile(b.clientId));
        // One I/O thread: all of the session's connections share it, so a connection's last
        // events are handled before the next one's first.
        this.lifecycle = new ClientLifecycle(name, log, b.scheduler, b.resources, 1, b.goawayGrace);
        Scheduler scheduler = lifecycle.scheduler();
        this.session = b.resumeSession != null ? ClientSession.resume(b.resumeSession, b.sessionExpiry.toSeconds())
                : ClientSession.create(b.sessionExpiry.toSeconds());
        this.wallClock = b.wallClock;
        this.messageExpiry = b.messageExpiry;
        this.states = new StateTracker(name);
        b.stateListeners.forEach(states::addListener);
        this.outbox = new Outbox(queue, b.queueCapacity, b.queueMaxBytes, b.overflowPolicy, b.maxInFlightPublishes,
                b.maxDeliveryAttempts, wallClock);
        // Before anything can be published: new messages are numbered after the recovered ones.
        int recovered;
        try {
            recovered = outbox.recover();
        } catch (RuntimeException e) {
            releaseOwned();
            throw e;
        }
        if (recovered > 0) {
            log.info("{}: {} messages recovered from the offline queue", name, recovered);
        }
        this.subscriptions = new SubscriptionRegistry(b.messageListener);
        int maxConcurrent = b.maxConcurrentRequests;
        LinkSelector selector = new LinkSelector() {
            @Override
            public Link acquire() {
                Link l = supervisor.ready();
                if (l == null) {
                    return null;
                }
                AtomicInteger n = l.inFlight();
                for (int v = n.get(); v < maxConcurrent; v = n.get()) {
                    if (n.compareAndSet(v, v + 1)) {
                        return l;
                    }
                }
                return null;
            }

            @Override
            public boolean anyReady() {
                return supervisor.ready() != null;
            }
        };
        this.calls = new CallDispatcher(selector, scheduler, b.retryPolicy, b.callTimeout, b.waitForReady, b.random,
                l -> healthChanged(), () -> states.state().toString());
        McpDialer dialer = new McpDialer(lifecycle.resources(), session, b.connectionConfig(), subscriptions, b.observer, b.healthPolicy,
                Math.max(10_000, 2 * b.maxInFlightPublishes));
        this.supervisor = new ConnectionSupervisor(new SupervisorSettings(name, b.endpoints, b.reconnectPolicy,
                b.healthPolicy, false, false, b.goawayGrace, b.terminalRefusals), dialer, scheduler, b.random,
                new ConnectionSupervisor.Owner() {
                    @Override
                    public void linkUp(Link link) {
                        subscriptions.linkUp(link);
                        outbox.linkUp(link);
                        calls.readyChanged();
                    }

                    @Override
                    public void linkDown(Link link, Throwable cause) {
                        outbox.linkDown(link);
                        subscriptions.linkDown(link);
                        calls.readyChanged();
                    }

                    @Override
                    public void gaveUp(McpException cause) {
                        // Nothing will connect again: whoever waits learns why now. The messages stay
                        // in the offline queue for a later client (with other credentials, say).
                        calls.close(cause);
                        outbox.close(cause);
                        subscriptions.close(cause);
                    }
                }, states);
    }

    /** {@code mcp-data/outbox-<client id>.db} in the working directory, the id made safe for a file name. */
    static Path defaultQueueFile(String clientId) {
        StringBuilder safe = new StringBuilder();
        for (int i = 0; i < clientId.length(); i++) {
            char c = clientId.charAt(i);
            safe.append(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' ? c : '_');
        }
        return Path.of("mcp-data", "outbox-" + safe + ".db");
    }

    private void healthChanged() {
        supervisor.healthChanged();
    }

    /** A builder; see its setters for the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts connecting; returns at once. Messages recovered from the offline queue (at
     * {@link Builder#build()}) and those published before are sent first, in order. Later calls do
     * nothing.
     */
    public ResilientClient start() {
        if (lifecycle.start()) {
            supervisor.start();
        }
        return this;
    }

    // ------------------------------------------------------------------ state

    /** The current state. */
    public ClientState state() {
        return states.state();
    }

    /** Adds a state listener (see {@link StateListener} for its thread rules). */
    public void addStateListener(StateListener listener) {
        states.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a state listener. */
    public void removeStateListener(StateListener listener) {
        states.removeListener(listener);
    }

    /** The health of the current connection (an empty snapshot while there is none). */
    public ConnectionHealth health() {
        return supervisor.health();
    }

    /** The endpoint connected to, or {@code null}. */
    public Endpoint endpoint() {
        Link l = supervisor.ready();
        return l == null ? null : l.endpoint();
    }

    /** The session id (hex) the server assigned, once connected; save it to resume after a restart. */
    public String sessionId() {
        return session.sessionIdHex();
    }

    /** Dial attempts so far (successful or not). */
    public long dialAttempts() {
        return supervisor.dials();
    }

    // ------------------------------------------------------------------ calls

    /** A call with the client's default deadline and wait-for-ready setting. */
    public CompletableFuture<Payload> call(int opcode, Payload payload) {
        return call(opcode, payload, CallOptions.defaults());
    }

    /**
     * Calls {@code opcode}; ownership of {@code payload} passes. Completes with the reply (the
     * caller releases it) or fails with {@link McpException}: UNAVAILABLE (no connection, fail-fast),
     * DEADLINE_EXCEEDED (the deadline passed while waiting or in flight), the server's code, or the
     * code with which the server ended the client (e.g. UNAUTHENTICATED, SESSION_TAKEN_OVER).
     */
    public CompletableFuture<Payload> call(int opcode, Payload payload, CallOptions options) {
        return lifecycle.call(calls, opcode, payload, options);
    }

    // ------------------------------------------------------------------ publish / subscribe

    /** Publishes raw bytes (not retained, the default expiry). */
    public CompletableFuture<Void> publish(String topic, int qos, byte[] payload) {
        return offer(topic, qos, false, Codecs.RAW, payload.clone(), messageExpiry);
    }

    /** Publishes {@code payload} (ownership passes; its bytes are copied), not retained, the default expiry. */
    public CompletableFuture<Void> publish(String topic, int qos, Payload payload) {
        return publish(topic, qos, false, payload, messageExpiry);
    }

    /**
     * Publishes {@code payload} (ownership passes; its bytes are copied into the queue). Completes
     * when the server took responsibility (PUBACK for QoS 1, PUBCOMP for QoS 2, written for QoS 0),
     * however many reconnects that takes. Fails with QUOTA_EXCEEDED if the queue is full (or, with
     * {@link OverflowPolicy#DROP_OLDEST}, when it is dropped later), DEADLINE_EXCEEDED if {@code expiry}
     * passed before it could be sent, TOPIC_INVALID at once for a bad topic, the server's code if it
     * refused the message for good, UNAVAILABLE if the client was closed first, or the server's code
     * if it ended the client first (a terminal refusal, SESSION_TAKEN_OVER); in those two cases the
     * message stays in the offline queue for the next client.
     *
     * @param expiry how long the message is worth sending (also sent as MESSAGE_EXPIRY_S, minus the
     *               time it waited); {@code null} or zero for no expiry
     */
    public CompletableFuture<Void> publish(String topic, int qos, boolean retain, Payload payload, Duration expiry) {
        Objects.requireNonNull(payload, "payload");
        byte[] bytes;
        int codec = payload.codec();
        try {
            bytes = payload.toBytes();
        } finally {
            payload.release();
        }
        return offer(topic, qos, retain, codec, bytes, expiry);
    }

    private CompletableFuture<Void> offer(String topic, int qos, boolean retain, int codec, byte[] bytes, Duration expiry) {
        try {
            Topics.validateTopicName(topic, true);
            if (qos < 0 || qos > 2) {
                throw new IllegalArgumentException("qos must be 0-2: " + qos);
            }
            if (expiry != null && expiry.isNegative()) {
                throw new IllegalArgumentException("expiry must not be negative: " + expiry);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        long expiresAt = expiry == null || expiry.isZero() ? 0 : wallClock.getAsLong() + expiry.toMillis();
        return outbox.offer(topic, qos, retain, codec, bytes, expiresAt);
    }

    /**
     * Subscribes to {@code filter} at up to {@code maxQos}; {@code listener} gets its messages (on an
     * I/O thread). The subscription lasts until {@link #unsubscribe}: it is sent again whenever a
     * new connection did not resume the session. Completes with the granted QoS once a server
     * granted it (which waits for a connection); fails with TOPIC_INVALID if refused.
     */
    public CompletableFuture<Integer> subscribe(String filter, int maxQos, MessageListener listener) {
        Objects.requireNonNull(listener, "listener");
        return subscriptions.subscribe(filter, maxQos, listener);
    }

    /** Ends the subscription to {@code filter}; completes once no server session holds it. */
    public CompletableFuture<Void> unsubscribe(String filter) {
        return subscriptions.unsubscribe(filter);
    }

    /** Completes when every message accepted so far is durable in the offline queue. */
    public CompletableFuture<Void> flush() {
        return outbox.flush();
    }

    /** The outbox's counters. */
    public QueueStats queueStats() {
        return outbox.stats();
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes: no more dials; the connection gets GOAWAY and finishes what is in flight; calls still
     * waiting fail with UNAVAILABLE, and so do the futures of messages not yet acknowledged (which
     * stay in the offline queue for the next client). Closes the queue, threads and scheduler the
     * client created. Blocks: do not call it on an I/O or scheduler thread. Idempotent.
     */
    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        try {
            lifecycle.closeConnections(supervisor::close, "the connection");
        } finally {
            outbox.close();
            calls.close();
            subscriptions.close();
            releaseOwned();
        }
    }

    private void releaseOwned() {
        if (ownsQueue) {
            queue.close();
        }
        lifecycle.releaseThreads();
    }

    @Override
    public String toString() {
        return name + "[" + state() + "]";
    }

    /**
     * Settings of a {@link ResilientClient}. Defaults: session expiry 1 hour, offline queue in the
     * SQLite file {@code mcp-data/outbox-<client id>.db} (in the working directory), 100,000 messages
     * and 64 MiB, {@link OverflowPolicy#REJECT_NEW}, no retry limit, no message expiry, 4096
     * publishes in flight; and those of {@link ClientBuilderBase}.
     */
    public static final class Builder extends ClientBuilderBase<Builder> {
        private Duration sessionExpiry = Duration.ofHours(1);
        private String resumeSession;
        private Path queueFile;
        private OfflineQueue queue;
        private int queueCapacity = 100_000;
        private long queueMaxBytes = 64L << 20;
        private OverflowPolicy overflowPolicy = OverflowPolicy.REJECT_NEW;
        private int maxDeliveryAttempts;
        private int maxInFlightPublishes = 4096;
        private Duration messageExpiry;
        private MessageListener messageListener;
        private LongSupplier wallClock = System::currentTimeMillis;

        private Builder() {
        }

        /**
         * SESSION_EXPIRY_S asked for: how long the server keeps the session after a disconnect, so
         * that the next connection resumes it (default 1 hour). Zero: every connection starts a new
         * session (subscriptions are re-sent, unacknowledged messages re-sent as new).
         */
        public Builder sessionExpiry(Duration expiry) {
            if (expiry == null || expiry.isNegative() || expiry.toSeconds() > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("sessionExpiry must be 0 to 2^32-1 seconds: " + expiry);
            }
            this.sessionExpiry = expiry;
            return this;
        }

        /**
         * Resumes the session {@code sessionIdHex} from an earlier run ({@link ResilientClient#sessionId()})
         * instead of starting a new one.
         */
        public Builder resumeSession(String sessionIdHex) {
            this.resumeSession = Objects.requireNonNull(sessionIdHex, "sessionIdHex");
            return this;
        }

        /**
         * Keeps the offline queue in the SQLite file {@code file} (created if absent), owned and closed
         * by the client. The default is {@code mcp-data/outbox-<client id>.db} in the working directory.
         * A file is used by one client at a time: a second client on it fails to build.
         */
        public Builder offlineQueue(Path file) {
            this.queueFile = Objects.requireNonNull(file, "file");
            this.queue = null;
            return this;
        }

        /**
         * Uses {@code queue} as the offline queue (for example an {@link InMemoryOfflineQueue}, whose
         * messages do not survive the process); the application closes it after the client.
         */
        public Builder offlineQueue(OfflineQueue queue) {
            this.queue = Objects.requireNonNull(queue, "queue");
            this.queueFile = null;
            return this;
        }

        /** Most messages accepted and not yet acknowledged (default 100,000). */
        public Builder queueCapacity(int messages) {
            if (messages < 1) {
                throw new IllegalArgumentException("queueCapacity must be >= 1: " + messages);
            }
            this.queueCapacity = messages;
            return this;
        }

        /** Most payload bytes accepted and not yet acknowledged (default 64 MiB). */
        public Builder queueMaxBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("queueMaxBytes must be >= 1: " + bytes);
            }
            this.queueMaxBytes = bytes;
            return this;
        }

        /** What a full queue does with one more message (default {@link OverflowPolicy#REJECT_NEW}). */
        public Builder overflowPolicy(OverflowPolicy policy) {
            this.overflowPolicy = Objects.requireNonNull(policy, "overflowPolicy");
            return this;
        }

        /**
         * Gives a message up (its future fails with UNAVAILABLE) when it is about to be sent again
         * after {@code attempts} connections were lost while it was unacknowledged; 0 for never
         * (the default). Guards against a message that breaks every connection it is sent on.
         */
        public Builder maxDeliveryAttempts(int attempts) {
            if (attempts < 0) {
                throw new IllegalArgumentException("maxDeliveryAttempts must be >= 0: " + attempts);
            }
            this.maxDeliveryAttempts = attempts;
            return this;
        }

        /** Publishes handed to the connection and not yet acknowledged, at most (default 4096). */
        public Builder maxInFlightPublishes(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxInFlightPublishes must be >= 1: " + max);
            }
            this.maxInFlightPublishes = max;
            return this;
        }

        /** The expiry of publishes that do not give one (default: none). */
        public Builder messageExpiry(Duration expiry) {
            if (expiry != null && expiry.isNegative()) {
                throw new IllegalArgumentException("messageExpiry must not be negative: " + expiry);
            }
            this.messageExpiry = expiry;
            return this;
        }

        /** Receives messages no subscription matches (e.g. delivered by a resumed session before it subscribes again). */
        public Builder messageListener(MessageListener listener) {
            this.messageListener = listener;
            return this;
        }

        /** Wall-clock milliseconds for message expiry, which must survive restarts (default the system clock). */
        public Builder wallClock(LongSupplier clock) {
            this.wallClock = Objects.requireNonNull(clock, "wallClock");
            return this;
        }

        /** The client (not started). */
        public ResilientClient build() {
            validateCommon();
            return new ResilientClient(this);
        }
    }
}
