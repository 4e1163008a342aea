package org.mcpjava.resilience.internal;

import org.mcpjava.core.McpException;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.HealthPolicy;
import org.mcpjava.resilience.Scheduler;
import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Dialer} that records every attempt (endpoint, time on the scheduler's clock) and counts
 * how many are in flight at once: from {@code dial} until the test settles it. Attempts complete
 * when the test says, or at once if {@link #refuseAll} is set.
 */
public final class FakeDialer implements Dialer {
    /** One dial. */
    public final class Attempt {
        private final Endpoint endpoint;
        private final long nanos;
        private final CompletableFuture<Link> result = new CompletableFuture<>();
        private final LinkEvents events;
        private final AtomicBoolean settled = new AtomicBoolean();

        Attempt(Endpoint endpoint, long nanos, LinkEvents events) {
            this.endpoint = endpoint;
            this.nanos = nanos;
            this.events = events;
        }

        public Endpoint endpoint() {
            return endpoint;
        }

        public long nanos() {
            return nanos;
        }

        public LinkEvents events() {
            return events;
        }

        /** Completes the dial with a new link. */
        public FakeLink succeed(boolean sessionPresent, HealthPolicy policy) {
            FakeLink link = new FakeLink(endpoint, sessionPresent, policy);
            settle();
            result.complete(link);
            return link;
        }

        /** Completes the dial with {@code link}, a link the test made (e.g. a {@link FakeLink} subclass). */
        public <L extends Link> L succeed(L link) {
            settle();
            result.complete(link);
            return link;
        }

        /** Fails the dial as a refused connection does. */
        public void refuse() {
            settle();
            result.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "connection refused"));
        }

        /** Fails the dial as a server refusing the handshake with ERROR({@code code}) does. */
        public void refuse(ErrorCode code) {
            settle();
            result.completeExceptionally(new McpException(code, "refused by the server"));
        }

        private void settle() {
            if (!settled.compareAndSet(false, true)) {
                throw new IllegalStateException("attempt settled twice");
            }
            inFlight.decrementAndGet();
        }
    }

    private final Scheduler clock;
    public final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    public final AtomicInteger inFlight = new AtomicInteger();
    public final AtomicInteger maxInFlight = new AtomicInteger();
    public volatile boolean refuseAll;

    public FakeDialer(Scheduler clock) {
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Link> dial(Endpoint endpoint, LinkEvents events) {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        Attempt a = new Attempt(endpoint, clock.nanoTime(), events);
        attempts.add(a);
        if (refuseAll) {
            a.refuse();
        }
        return a.result;
    }

    /** The last attempt. */
    public Attempt last() {
        return attempts.get(attempts.size() - 1);
    }

    /** Time between attempt {@code i - 1} and {@code i}. */
    public Duration gap(int i) {
        return Duration.ofNanos(attempts.get(i).nanos() - attempts.get(i - 1).nanos());
    }
}
