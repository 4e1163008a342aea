package org.mcpjava.resilience.internal;

import org.mcpjava.core.McpException;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.ConnectionHealth;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.ReconnectPolicy;
import org.mcpjava.resilience.Scheduler;
import org.mcpjava.wire.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.DoubleSupplier;

/**
 * Keeps one logical connection up: dials the endpoints in turn, backs off after failures, notices
 * loss, GOAWAY and bad health, and replaces the connection. Drives a {@link StateTracker}.
 *
 * <p><b>One dial at a time.</b> Every path that wants a connection goes through {@link #dial()},
 * which does nothing while a dial is in flight, a retry is scheduled, or (without overlap) the
 * previous connection is still closing.
 *
 * <p><b>Endpoints.</b> The first attempt after a loss goes to the endpoint that was lost (or, after
 * GOAWAY or bad health, to the next one) at once. A failed dial moves to the next endpoint at once
 * until every endpoint failed in this round; then the {@link ReconnectPolicy} delay applies
 * ({@link EndpointRotation}).
 *
 * <p><b>Giving up.</b> Two answers from a server end the supervisor, because dialing again cannot
 * change them: a handshake refused with one of the {@code terminalRefusals} codes (bad credentials,
 * a session of another principal, an unsupported version) takes that endpoint out of the rotation
 * for good, and once every endpoint refused so, the supervisor stops; and GOAWAY(SESSION_TAKEN_OVER)
 * (another connection resumed this session: resuming it again would take it back, and so on for
 * ever) stops it at once. Stopping is {@link #close()} with a cause: the state moves to CLOSED with
 * the server's {@link McpException} as the change's cause, and {@link Owner#gaveUp} is told.
 *
 * <p><b>Overlap.</b> With overlap (pool connections, which carry no session), a replacement is dialed
 * while the old connection still drains; without (a session connection, which may be attached to
 * one connection only) the old one is closed first and the next dial waits for it. A connection
 * replaced while it still works (bad health, fail-back) is closed once its calls have ended, or
 * after {@code goawayGrace} ({@link LinkDrain}).
 *
 * <p><b>Fail-back.</b> With fail-back (pool connections; it needs overlap), a supervisor connected
 * to an endpoint other than its preferred one ({@link EndpointRotation#preferred()}) probes the
 * preferred one in the background: it dials it on a {@link FailBackSchedule} (the reconnect policy's
 * backoff and jitter), and once that connection is up, switches to it and drains the old one. A
 * probe is a dial like any other: it waits while another dial is in flight or a retry is scheduled,
 * and no other dial starts while it is in flight. A failed probe leaves the working connection
 * alone; a terminal refusal takes the preferred endpoint out of the rotation, so it is not probed
 * again.
 *
 * <p><b>Threads.</b> All state is confined to the {@link Scheduler}; the public methods hop onto it.
 * {@link #ready()} and {@link #state()} may be read from any thread.
 */
public final class ConnectionSupervisor {
    private static final Logger log = LoggerFactory.getLogger(ConnectionSupervisor.class);

    /** What the supervisor tells its owner, on the scheduler. */
    public interface Owner {
        /** {@code link} is established and takes traffic. */
        void linkUp(Link link);

        /** {@code link} takes no new traffic (lost, going away, replaced, or the supervisor closed). */
        void linkDown(Link link, Throwable cause);

        /**
         * The supervisor stopped for good because of the server's answer {@code cause} (a terminal
         * refusal, or the session taken over); the state is already CLOSED. Not called for
         * {@link #close()}.
         */
        void gaveUp(McpException cause);
    }

    private final SupervisorSettings settings;
    private final EndpointRotation rotation;
    private final FailBackSchedule failBack;
    private final LinkDrain drain;
    private final HealthCheck healthCheck;
    private final Dialer dialer;
    private final Scheduler scheduler;
    private final DoubleSupplier random;
    private final Owner owner;
    private final StateTracker states;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    // Confined to the scheduler.
    private boolean started;
    private boolean closed;
    private boolean dialing;
    private boolean probing;
    private boolean replacing;
    private Link current;
    private Link retiring;
    private CompletableFuture<Link> dialInFlight;
    private Scheduler.Cancellable retryTimer;
    private Scheduler.Cancellable graceTimer;
    private int failures;
    private Duration lastDelay;

    private volatile Link ready;
    private volatile long dials;

    /**
     * @param settings the configuration (see {@link SupervisorSettings})
     * @param random   jitter for the reconnect and fail-back backoff, in [0, 1)
     */
    public ConnectionSupervisor(SupervisorSettings settings, Dialer dialer, Scheduler scheduler, DoubleSupplier random,
                                Owner owner, StateTracker states) {
        this.settings = settings;
        this.rotation = new EndpointRotation(settings.endpoints());
        this.failBack = settings.failBack() ? new FailBackSchedule(settings.reconnectPolicy(), random, scheduler) : null;
        this.drain = new LinkDrain(scheduler, settings.goawayGrace());
        this.healthCheck = new HealthCheck(scheduler, settings.healthPolicy().checkInterval(),
                () -> closed ? null : current, this::probed);
        this.dialer = dialer;
        this.scheduler = scheduler;
        this.random = random;
        this.owner = owner;
        this.states = states;
    }

    /** Starts dialing (once; later calls do nothing). */
    public void start() {
        scheduler.execute(() -> {
            if (started || closed) {
                return;
            }
            started = true;
            states.moveTo(ClientState.CONNECTING, rotation.first(), null);
            dial();
        });
    }

    /** The established connection that takes traffic, or {@code null}. */
    public Link ready() {
        return ready;
    }

    /** The state. */
    public ClientState state() {
        return states.state();
    }

    /** Dial attempts made so far. */
    public long dials() {
        return dials;
    }

    /** The health of the ready connection (or an empty snapshot when there is none). */
    public ConnectionHealth health() {
        Link l = ready;
        if (l == null) {
            return new ConnectionHealth(null, state(), null, null, null, 0, 0.0, 0);
        }
        return l.health().snapshot(l.endpoint(), state(), l.inFlight().get());
    }

    /** Re-evaluates the ready connection's health now (e.g. after a call hit its deadline). */
    public void healthChanged() {
        scheduler.execute(() -> {
            Link l = current;
            if (l != null && !closed && l.health().unhealthy()) {
                unhealthy(l);
            }
        });
    }

    /**
     * Stops: no more dials, the connection (if any) is closed gracefully. Completes once every
     * connection it opened has closed.
     */
    public CompletableFuture<Void> close() {
        scheduler.execute(() -> stop(null, null));
        return terminated;
    }

    // ------------------------------------------------------------------ dialing

    private void dial() {
        if (closed || dialing || retryTimer != null || (current != null && !replacing)
                || (retiring != null && !settings.overlap())) {
            return;
        }
        startDial(rotation.next(), false);
    }

    /** Dials {@code endpoint}; {@code probe}: a fail-back probe, which leaves a working connection alone if it fails. */
    private void startDial(Endpoint endpoint, boolean probe) {
        dialing = true;
        probing = probe;
        dials++;
        CompletableFuture<Link> attempt;
        try {
            attempt = dialer.dial(endpoint, this::goawayReceived);
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        dialInFlight = attempt;
        attempt.whenComplete((link, error) -> scheduler.execute(() -> dialed(endpoint, link, error)));
    }

    private void dialed(Endpoint endpoint, Link link, Throwable error) {
        boolean probe = probing;
        dialing = false;
        probing = false;
        dialInFlight = null;
        if (closed) {
            return; // close() saw this dial in flight and closes what it opened
        }
        if (error != null) {
            if (probe) {
                probeFailed(endpoint, unwrap(error));
            } else {
                dialFailed(endpoint, unwrap(error));
            }
            return;
        }
        failures = 0;
        rotation.connected(endpoint);
        Link old = current;
        current = link;
        ready = link;
        replacing = false;
        link.closeFuture().whenComplete((v, e) -> scheduler.execute(() -> linkClosed(link)));
        log.info("{}: connected to {}{}{}", settings.name(), endpoint, link.sessionPresent() ? " (session resumed)" : "",
                probe && old != null ? " (failed back from " + old.endpoint() + ")" : "");
        states.moveTo(ClientState.CONNECTED, endpoint, null);
        if (old != null) {
            owner.linkDown(old, new McpException(ErrorCode.UNAVAILABLE, "replaced by a connection to " + endpoint));
            // ready already names the new link: once the old one's count reads zero, no call is on its way there
            drain.drain(old);
        }
        owner.linkUp(link);
        healthCheck.cancel(); // the old link's probe, if one was armed
        armHealthCheck();
        armFailBack();
    }

    private void dialFailed(Endpoint endpoint, Throwable cause) {
        McpException refusal = McpException.find(cause);
        EndpointRotation.Next next;
        if (refusal != null && settings.terminalRefusals().contains(refusal.code())) {
            next = rotation.refused();
            log.warn("{}: {} refused the connection with {}; not dialing it again{}", settings.name(), endpoint, refusal.toString(),
                    next == EndpointRotation.Next.NONE_LEFT ? " (no endpoint left: giving up)" : "");
            if (next == EndpointRotation.Next.NONE_LEFT) {
                stop(endpoint, refusal);
                return;
            }
        } else {
            next = rotation.failed();
        }
        if (next == EndpointRotation.Next.NOW) {
            log.debug("{}: cannot connect to {} ({}); trying {}", settings.name(), endpoint, cause.toString(), rotation.next());
            dial();
            return;
        }
        failures++;
        Duration delay = settings.reconnectPolicy().delay(failures, random.getAsDouble());
        lastDelay = delay;
        log.debug("{}: cannot connect to {} ({}); failure {}, next attempt in {} ms", settings.name(), endpoint, cause.toString(),
                failures, delay.toMillis());
        retryTimer = scheduler.schedule(() -> {
            retryTimer = null;
            dial();
        }, delay);
    }

    // ------------------------------------------------------------------ fail-back

    /** Schedules a probe of the preferred endpoint if fail-back is on and the connection is elsewhere. */
    private void armFailBack() {
        if (failBack == null || closed || current == null) {
            return;
        }
        if (current.endpoint().equals(rotation.preferred())) {
            failBack.reachedPreferred();
        } else {
            failBack.arm(this::probePreferred);
        }
    }

    private void probePreferred() {
        Link link = current;
        if (closed || link == null) {
            return; // reconnecting as usual; the next connection arms the probe again if it is elsewhere
        }
        Endpoint preferred = rotation.preferred();
        if (link.endpoint().equals(preferred)) {
            return;
        }
        if (dialing || retryTimer != null) {
            armFailBack(); // a replacement is being dialed: probe later, never alongside
            return;
        }
        log.debug("{}: probing {} to fail back from {}", settings.name(), preferred, link.endpoint());
        startDial(preferred, true);
    }

    private void probeFailed(Endpoint endpoint, Throwable cause) {
        McpException refusal = McpException.find(cause);
        if (refusal != null && settings.terminalRefusals().contains(refusal.code())) {
            rotation.refused(endpoint);
            log.warn("{}: {} refused the connection with {}; not dialing it again", settings.name(), endpoint, refusal.toString());
        } else {
            failBack.failed();
            log.debug("{}: {} is still unreachable ({}); fail-back probe {} failed", settings.name(), endpoint, cause.toString(),
                    failBack.failures());
        }
        if (current == null) {
            dial(); // the connection was lost while the probe was in flight: reconnect as usual
            return;
        }
        armFailBack();
    }

    /** Failed fail-back probes since the preferred endpoint was last reached. For tests and tools. */
    public int failBackFailures() {
        return failBack == null ? 0 : failBack.failures();
    }

    /** The delay chosen for the last fail-back probe, or {@code null} if none was scheduled. For tests and tools. */
    public Duration lastFailBackDelay() {
        return failBack == null ? null : failBack.lastDelay();
    }

    /** The delay chosen after the last failed round, or {@code null} if none failed yet. For tests and tools. */
    public Duration lastBackoff() {
        return lastDelay;
    }

    // ------------------------------------------------------------------ losing connections

    private void linkClosed(Link link) {
        drain.closed(link);
        if (link == retiring) {
            retiring = null;
            cancel(graceTimer);
            graceTimer = null;
            if (!closed) {
                dial();
            }
            return;
        }
        if (link != current) {
            return; // a connection that was replaced has finished draining
        }
        current = null;
        ready = null;
        healthCheck.cancel();
        McpException cause = new McpException(ErrorCode.UNAVAILABLE, "connection to " + link.endpoint() + " lost");
        owner.linkDown(link, cause);
        if (closed) {
            return;
        }
        states.moveTo(ClientState.RECONNECTING, link.endpoint(), cause);
        dial();
    }

    private void goawayReceived(Link link, int code, String message) {
        scheduler.execute(() -> {
            if (closed) {
                return;
            }
            if (code == ErrorCode.SESSION_TAKEN_OVER.code() && (link == current || link == retiring)) {
                McpException cause = new McpException(ErrorCode.SESSION_TAKEN_OVER, "another connection resumed the session ("
                        + link.endpoint() + " sent GOAWAY" + (message == null || message.isEmpty() ? "" : ": " + message) + ")");
                log.warn("{}: {}; not resuming it again", settings.name(), cause.getMessage());
                stop(link.endpoint(), cause);
                return;
            }
            if (link != current) {
                return;
            }
            McpException cause = new McpException(ErrorCode.UNAVAILABLE, link.endpoint() + " sent GOAWAY");
            log.info("{}: {} sent GOAWAY; moving on", settings.name(), link.endpoint());
            retire(link, cause);
        });
    }

    private void unhealthy(Link link) {
        if (closed || link != current) {
            return;
        }
        log.info("{}: connection to {} is unhealthy (score {}, {} failures in a row); replacing it", settings.name(),
                link.endpoint(), String.format("%.2f", link.health().score()), link.health().consecutiveFailures());
        if (settings.overlap()) {
            if (!replacing && !dialing && retryTimer == null) {
                replacing = true;
                rotation.moveAfter(link.endpoint());
                dial();
            }
            return;
        }
        retire(link, new McpException(ErrorCode.UNAVAILABLE, "connection to " + link.endpoint() + " was unhealthy"));
        link.closeAsync();
    }

    /** Takes {@code link} out of service and moves on to the next endpoint. */
    private void retire(Link link, Throwable cause) {
        current = null;
        ready = null;
        healthCheck.cancel();
        rotation.moveAfter(link.endpoint());
        owner.linkDown(link, cause);
        states.moveTo(ClientState.RECONNECTING, link.endpoint(), cause);
        if (settings.overlap()) {
            dial(); // the old connection drains on its own; its close is ignored
            return;
        }
        retiring = link;
        graceTimer = scheduler.schedule(link::closeAsync, settings.goawayGrace());
    }

    // ------------------------------------------------------------------ health

    private void armHealthCheck() {
        if (closed || current == null) {
            return;
        }
        healthCheck.arm();
    }

    private void probed(Link link) {
        if (closed || link != current) {
            return;
        }
        if (link.health().unhealthy()) {
            unhealthy(link);
        }
        if (current == link && !healthCheck.armed()) {
            armHealthCheck();
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Stops for good: no more dials, every connection closed gracefully, the state CLOSED.
     *
     * @param endpoint the endpoint concerned when giving up, or {@code null}
     * @param cause    the server's answer that made the supervisor give up, or {@code null} when
     *                 closed by its owner
     */
    private void stop(Endpoint endpoint, McpException cause) {
        if (closed) {
            return;
        }
        closed = true;
        retryTimer = cancel(retryTimer);
        healthCheck.cancel();
        graceTimer = cancel(graceTimer);
        if (failBack != null) {
            failBack.cancel();
        }
        List<CompletableFuture<?>> closing = new ArrayList<>();
        closing.add(drain.closeAll());
        Link c = current;
        current = null;
        ready = null;
        if (c != null) {
            owner.linkDown(c, cause != null ? cause : new McpException(ErrorCode.UNAVAILABLE, "client closed"));
            closing.add(c.closeAsync());
        }
        if (retiring != null) {
            closing.add(retiring.closeAsync());
            retiring = null;
        }
        if (dialInFlight != null) {
            closing.add(dialInFlight.handle((l, e) -> l).thenCompose(l -> l == null
                    ? CompletableFuture.completedFuture(null) : l.closeAsync()));
        }
        states.moveTo(ClientState.CLOSED, c != null ? c.endpoint() : endpoint, cause);
        if (cause != null) {
            owner.gaveUp(cause);
        }
        CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]))
                .whenComplete((v, e) -> terminated.complete(null));
    }

    private static Scheduler.Cancellable cancel(Scheduler.Cancellable c) {
        if (c != null) {
            c.cancel();
        }
        return null;
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public String toString() {
        return settings.name();
    }
}
