package org.mcpjava.resilience;

import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.internal.CallDispatcher;
import org.mcpjava.resilience.internal.ClientLifecycle;
import org.mcpjava.resilience.internal.ConnectionSupervisor;
import org.mcpjava.resilience.internal.Link;
import org.mcpjava.resilience.internal.McpDialer;
import org.mcpjava.resilience.internal.PoolSelector;
import org.mcpjava.resilience.internal.StateTracker;
import org.mcpjava.resilience.internal.SupervisorSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Several connections for calls, to one or several endpoints, each kept up on its own (reconnect
 * with backoff, GOAWAY, health replacement), with calls spread over them.
 *
 * <pre>{@code
 * ConnectionPool pool = ConnectionPool.builder()
 *         .endpoints("svc1:19779", "svc2:19779")
 *         .connectionsPerEndpoint(2)
 *         .strategy(SelectionStrategy.LEAST_IN_FLIGHT)
 *         .maxConcurrentRequests(256)
 *         .build()
 *         .start();
 * pool.call(0x0001, payload, CallOptions.defaults().waitForReady(true));
 * }</pre>
 *
 * <p><b>Connections.</b> {@code endpoints x connectionsPerEndpoint} slots; slot {@code i} prefers
 * endpoint {@code i mod n} and, when it cannot reach it, fails over to the others in turn: when an
 * endpoint dies its slots move to the live ones, and calls go on. A slot whose connection becomes
 * unhealthy dials a replacement first and moves its calls once it is up (make before break). The
 * pool carries no pub/sub session (use {@link ResilientClient} for that).
 *
 * <p><b>Fail-back.</b> A slot connected to another endpoint than its preferred one probes the
 * preferred one in the background, with the {@link ReconnectPolicy}'s backoff and jitter, and moves
 * back once a connection to it is up: new calls go to the new connection, and the old one is closed
 * once its calls have finished (at most {@link Builder#goawayGrace} later). So when a dead endpoint
 * returns, the load spreads over it again without a call failing. On by default
 * ({@link Builder#failBack(boolean)}).
 *
 * <p><b>Calls.</b> Each goes to a connected, healthy slot with room ({@link SelectionStrategy}); at
 * most {@link Builder#maxConcurrentRequests} per connection, more wait for room within their
 * deadline. Fail-fast and wait-for-ready and retries as for {@link ResilientClient}.
 *
 * <p><b>Refusals.</b> A slot refused by an endpoint with a terminal code
 * ({@link Builder#terminalRefusals}) does not dial that endpoint again and uses the others; a slot
 * refused so by every endpoint stops (CLOSED). When every slot stopped, the pool is CLOSED with the
 * server's {@link McpException} as the cause and calls that wait, or come later, fail with it. Each
 * slot finds out on its own, so an endpoint that refuses sees at most one handshake per slot.
 *
 * <p><b>State.</b> CONNECTED while any slot is, RECONNECTING when none is after one was,
 * CONNECTING before the first, CLOSED when closed or every slot was refused for good. Thread-safe.
 */
public final class ConnectionPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;
    private final ClientLifecycle lifecycle;
    private final Scheduler scheduler;
    private final StateTracker states;
    private final List<ConnectionSupervisor> slots = new ArrayList<>();
    private final CallDispatcher calls;
    private boolean everConnected; // scheduler thread

    private ConnectionPool(Builder b) {
        this.name = "connection-pool-" + COUNTER.incrementAndGet();
        this.lifecycle = new ClientLifecycle(name, log, b.scheduler, b.resources,
                Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), b.goawayGrace);
        this.scheduler = lifecycle.scheduler();
        this.states = new StateTracker(name);
        b.stateListeners.forEach(states::addListener);
        McpDialer dialer = new McpDialer(lifecycle.resources(), null, b.connectionConfig(), null, b.observer, b.healthPolicy, 10_000);
        ConnectionSupervisor.Owner owner = new ConnectionSupervisor.Owner() {
            @Override
            public void linkUp(Link link) {
                poolChanged();
            }

            @Override
            public void linkDown(Link link, Throwable cause) {
                poolChanged();
            }

            @Override
            public void gaveUp(McpException cause) {
                // The slot is CLOSED; aggregate() ends the pool once every slot is.
            }
        };
        int n = b.endpoints.size();
        for (int i = 0; i < n * b.connectionsPerEndpoint; i++) {
            List<Endpoint> order = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                order.add(b.endpoints.get((i + k) % n));
            }
            StateTracker slotState = new StateTracker(name + "/" + i);
            slotState.addListener(this::aggregate);
            slots.add(new ConnectionSupervisor(new SupervisorSettings(name + "/" + i, order, b.reconnectPolicy,
                    b.healthPolicy, true, b.failBack, b.goawayGrace, b.terminalRefusals), dialer, scheduler, b.random,
                    owner, slotState));
        }
        PoolSelector selector = new PoolSelector(slots, b.strategy, b.maxConcurrentRequests);
        this.calls = new CallDispatcher(selector, scheduler, b.retryPolicy, b.callTimeout, b.waitForReady, b.random,
                l -> slots.forEach(ConnectionSupervisor::healthChanged), () -> states.state().toString());
    }

    /** A builder; see its setters for the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts every slot connecting; returns at once. Later calls do nothing. */
    public ConnectionPool start() {
        if (lifecycle.start()) {
            scheduler.execute(() -> {
                if (states.state() == ClientState.DISCONNECTED) {
                    states.moveTo(ClientState.CONNECTING, null, null);
                }
            });
            slots.forEach(ConnectionSupervisor::start);
        }
        return this;
    }

    private void poolChanged() {
        calls.readyChanged();
    }

    /**
     * Recomputes the pool's state from its slots' after {@code change} of one; on the scheduler
     * (slot changes happen there). When every slot gave up (each was refused for good by every
     * endpoint) the pool is CLOSED with the last refusal as the cause, and waiting calls fail with it.
     */
    private void aggregate(StateChange change) {
        ClientState now = states.state();
        if (now == ClientState.CLOSED || now == ClientState.DISCONNECTED) {
            return;
        }
        boolean connected = false;
        boolean allClosed = true;
        for (ConnectionSupervisor s : slots) {
            connected |= s.state() == ClientState.CONNECTED;
            allClosed &= s.state() == ClientState.CLOSED;
        }
        if (allClosed && change.cause() instanceof McpException refusal) {
            log.warn("{}: every connection was refused for good; the pool stops ({})", name, refusal.toString());
            states.moveTo(ClientState.CLOSED, change.endpoint(), refusal);
            calls.close(refusal);
            return;
        }
        if (connected) {
            everConnected = true;
            states.moveTo(ClientState.CONNECTED, null, null);
        } else if (everConnected) {
            states.moveTo(ClientState.RECONNECTING, null, null);
        }
    }

    /** The pool's state. */
    public ClientState state() {
        return states.state();
    }

    /** Adds a state listener (see {@link StateListener} for its thread rules). */
    public void addStateListener(StateListener listener) {
        states.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** The health of each slot's connection, in slot order. */
    public List<ConnectionHealth> health() {
        List<ConnectionHealth> out = new ArrayList<>();
        for (ConnectionSupervisor s : slots) {
            out.add(s.health());
        }
        return out;
    }

    /** Calls waiting for a connection or for room. */
    public int waitingCalls() {
        return calls.waiting();
    }

    /** A call with the pool's default deadline and wait-for-ready setting. */
    public CompletableFuture<Payload> call(int opcode, Payload payload) {
        return call(opcode, payload, CallOptions.defaults());
    }

    /**
     * Calls {@code opcode} on the connection the strategy picks; ownership of {@code payload} passes.
     * See {@link ResilientClient#call(int, Payload, CallOptions)} for the failures.
     */
    public CompletableFuture<Payload> call(int opcode, Payload payload, CallOptions options) {
        return lifecycle.call(calls, opcode, payload, options);
    }

    /**
     * Closes every connection gracefully (calls in flight finish), fails waiting calls with
     * UNAVAILABLE, and releases what the pool created. Blocks; idempotent.
     */
    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        scheduler.execute(() -> states.moveTo(ClientState.CLOSED, null, null));
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (ConnectionSupervisor s : slots) {
            closing.add(s.close());
        }
        try {
            lifecycle.closeConnections(() -> CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0])),
                    "connections");
        } finally {
            calls.close();
            lifecycle.releaseThreads();
        }
    }

    @Override
    public String toString() {
        return name + "[" + state() + ", " + slots.size() + " connections]";
    }

    /**
     * Settings of a {@link ConnectionPool}. Defaults: one connection per endpoint,
     * {@link SelectionStrategy#LEAST_IN_FLIGHT}, 256 calls in flight per connection, fail-back on;
     * and those of {@link ClientBuilderBase}.
     */
    public static final class Builder extends ClientBuilderBase<Builder> {
        private int connectionsPerEndpoint = 1;
        private SelectionStrategy strategy = SelectionStrategy.LEAST_IN_FLIGHT;
        private boolean failBack = true;

        private Builder() {
            maxConcurrentRequests(256);
        }

        /** Connections to open per endpoint (default 1). */
        public Builder connectionsPerEndpoint(int connections) {
            if (connections < 1 || connections > 64) {
                throw new IllegalArgumentException("connectionsPerEndpoint must be 1-64: " + connections);
            }
            this.connectionsPerEndpoint = connections;
            return this;
        }

        /** How calls pick a connection (default {@link SelectionStrategy#LEAST_IN_FLIGHT}). */
        public Builder strategy(SelectionStrategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * Whether a slot that failed over moves back to its preferred endpoint when that returns
         * (default {@code true}): it probes the endpoint on the {@link #reconnectPolicy} backoff
         * (with its jitter) while connected elsewhere, and once a new connection is up, switches
         * to it and drains the old one. {@code false}: a slot stays where it is until its
         * connection ends.
         */
        public Builder failBack(boolean failBack) {
            this.failBack = failBack;
            return this;
        }

        /** The pool (not started). */
        public ConnectionPool build() {
            validateCommon();
            return new ConnectionPool(this);
        }
    }

}
