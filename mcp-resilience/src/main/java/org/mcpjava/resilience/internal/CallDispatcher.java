package org.mcpjava.resilience.internal;

import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.CallOptions;
import org.mcpjava.resilience.RetryPolicy;
import org.mcpjava.resilience.Scheduler;
import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Runs calls over whatever connection a {@link LinkSelector} offers: fails fast or waits for a
 * connection (wait-for-ready), waits for room on a busy connection, retries per the
 * {@link RetryPolicy}, and keeps the whole within the call's deadline.
 *
 * <p><b>Semantics.</b> With no connection at all, a fail-fast call fails at once with UNAVAILABLE;
 * a wait-for-ready call waits for one up to its deadline. With connections that are all at their
 * concurrency bound, every call waits for room (up to its deadline). A failed attempt is retried
 * if the policy allows, after its backoff, as long as the deadline leaves room; the retry follows
 * the same rules. The deadline covers waiting, attempts and backoff: when it passes the call fails
 * with DEADLINE_EXCEEDED.
 *
 * <p><b>Buffers.</b> The caller's payload is owned until the call ends; each attempt sends a
 * retained duplicate, so a retry resends the same bytes without copying. A reply that arrives
 * after the call ended (deadline) is released here.
 */
public final class CallDispatcher {
    private final LinkSelector selector;
    private final Scheduler scheduler;
    private final RetryPolicy retry;
    private final Duration defaultTimeout;
    private final boolean defaultWaitForReady;
    private final DoubleSupplier random;
    private final Consumer<Link> deadlineHit;
    private final Supplier<String> describeState;
    private final ArrayDeque<Call> waiters = new ArrayDeque<>();
    private volatile int waiting;
    private volatile McpException closedBy;

    private final class Call {
        final int opcode;
        final Payload payload;
        final boolean waitForReady;
        final boolean idempotent;
        final long deadlineNanos;
        final boolean hasDeadline;
        final CompletableFuture<Payload> result = new CompletableFuture<>();
        int attempts;

        Call(int opcode, Payload payload, boolean waitForReady, boolean idempotent, Duration timeout) {
            this.opcode = opcode;
            this.payload = payload;
            this.waitForReady = waitForReady;
            this.idempotent = idempotent;
            this.hasDeadline = timeout != null;
            this.deadlineNanos = timeout == null ? 0 : scheduler.nanoTime() + timeout.toNanos();
        }

        long remainingNanos() {
            return hasDeadline ? deadlineNanos - scheduler.nanoTime() : Long.MAX_VALUE;
        }
    }

    /**
     * @param defaultTimeout deadline of calls that set none; {@code null} for none
     * @param deadlineHit    told which connection a call timed out on (its health dropped)
     * @param describeState  the client's state, for error messages
     */
    public CallDispatcher(LinkSelector selector, Scheduler scheduler, RetryPolicy retry, Duration defaultTimeout,
                          boolean defaultWaitForReady, DoubleSupplier random, Consumer<Link> deadlineHit,
                          Supplier<String> describeState) {
        this.selector = selector;
        this.scheduler = scheduler;
        this.retry = retry;
        this.defaultTimeout = defaultTimeout;
        this.defaultWaitForReady = defaultWaitForReady;
        this.random = random;
        this.deadlineHit = deadlineHit;
        this.describeState = describeState;
    }

    /** Starts a call; ownership of {@code payload} passes. The reply is the caller's to release. */
    public CompletableFuture<Payload> call(int opcode, Payload payload, CallOptions options) {
        Duration timeout = options.timeout() != null ? options.timeout() : defaultTimeout;
        boolean wfr = options.waitForReady() != null ? options.waitForReady() : defaultWaitForReady;
        Call c = new Call(opcode, payload, wfr, options.idempotent(), timeout);
        c.result.whenComplete((r, e) -> payload.release());
        if (timeout != null) {
            Scheduler.Cancellable timer = scheduler.schedule(() -> expire(c), timeout);
            c.result.whenComplete((r, e) -> timer.cancel());
        }
        dispatch(c);
        return c.result;
    }

    private void expire(Call c) {
        if (c.result.completeExceptionally(new McpException(ErrorCode.DEADLINE_EXCEEDED,
                String.format("opcode 0x%04x: no answer within the deadline (%d attempts; client %s)", c.opcode,
                        c.attempts, describeState.get())))) {
            synchronized (waiters) {
                if (waiters.remove(c)) {
                    waiting = waiters.size();
                }
            }
        }
    }

    private void dispatch(Call c) {
        if (c.result.isDone()) {
            return;
        }
        Link link;
        synchronized (waiters) {
            McpException closed = closedBy;
            if (closed != null) { // checked under the lock: close() cannot miss a call that starts to wait
                c.result.completeExceptionally(closed);
                return;
            }
            link = selector.acquire();
            if (link == null) {
                if (c.waitForReady || selector.anyReady()) {
                    waiters.add(c);
                    waiting = waiters.size();
                    return;
                }
            }
        }
        if (link == null) {
            c.result.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "no connection (client "
                    + describeState.get() + "); the call was not sent (fail-fast)"));
            return;
        }
        send(c, link);
    }

    private void send(Call c, Link link) {
        c.attempts++;
        long remaining = c.remainingNanos();
        if (remaining <= 0) {
            release(link);
            expire(c);
            return;
        }
        Duration timeout = c.hasDeadline ? Duration.ofNanos(Math.max(remaining, 1_000_000)) : null;
        Payload attempt = Payload.of(c.payload.codec(), c.payload.data().retainedDuplicate());
        CompletableFuture<Payload> reply;
        try {
            reply = link.call(c.opcode, attempt, timeout);
        } catch (RuntimeException e) {
            attempt.release();
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, e) -> {
            release(link);
            attempted(c, link, r, e);
        });
    }

    private void release(Link link) {
        link.inFlight().decrementAndGet();
        readyChanged();
    }

    private void attempted(Call c, Link link, Payload reply, Throwable error) {
        if (error == null) {
            if (!c.result.complete(reply)) {
                reply.release();
            }
            return;
        }
        McpException m = McpException.find(error);
        int code = m == null ? ErrorCode.INTERNAL.code() : m.code();
        if (code == ErrorCode.DEADLINE_EXCEEDED.code()) {
            deadlineHit.accept(link);
        }
        if (!c.result.isDone() && closedBy == null && retry.shouldRetry(c.opcode, c.idempotent, code, c.attempts)) {
            Duration backoff = retry.backoff(c.attempts, random.getAsDouble());
            if (backoff.toNanos() < c.remainingNanos()) {
                scheduler.schedule(() -> dispatch(c), backoff);
                return;
            }
        }
        c.result.completeExceptionally(m != null ? m : error);
    }

    /** A connection came up or has room again: calls that wait are sent. Thread-safe, cheap when none wait. */
    public void readyChanged() {
        if (waiting == 0) {
            return;
        }
        List<Object[]> toSend = new ArrayList<>();
        List<Call> toFail = new ArrayList<>();
        synchronized (waiters) {
            while (!waiters.isEmpty()) {
                Call c = waiters.peek();
                if (c.result.isDone()) {
                    waiters.poll();
                    continue;
                }
                Link link = selector.acquire();
                if (link == null) {
                    if (!selector.anyReady()) {
                        // No connection any more: fail-fast calls that waited for room fail now.
                        for (Call w : waiters) {
                            if (!w.waitForReady) {
                                toFail.add(w);
                            }
                        }
                        waiters.removeAll(toFail);
                    }
                    break;
                }
                waiters.poll();
                toSend.add(new Object[]{c, link});
            }
            waiting = waiters.size();
        }
        for (Call c : toFail) {
            c.result.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "connection lost (client "
                    + describeState.get() + "); the call was not sent (fail-fast)"));
        }
        for (Object[] p : toSend) {
            send((Call) p[0], (Link) p[1]);
        }
    }

    /** Calls that wait (for a connection or for room). */
    public int waiting() {
        return waiting;
    }

    /** Fails every waiting call and every later one with UNAVAILABLE. */
    public void close() {
        close(new McpException(ErrorCode.UNAVAILABLE, "client closed"));
    }

    /**
     * Fails every waiting call and every later one with {@code why} (e.g. the server's terminal
     * refusal). Calls in flight end as their connection does. Only the first close counts.
     */
    public void close(McpException why) {
        List<Call> all;
        synchronized (waiters) {
            if (closedBy != null) {
                return;
            }
            closedBy = why;
            all = new ArrayList<>(waiters);
            waiters.clear();
            waiting = 0;
        }
        for (Call c : all) {
            c.result.completeExceptionally(why);
        }
    }
}
