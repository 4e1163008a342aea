package org.mcpjava.resilience.internal;

import org.mcpjava.resilience.Scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Closes the connections a supervisor replaced (make before break: bad health, fail-back) once the
 * calls on them have ended, or once the grace has passed, whichever comes first.
 *
 * <p><b>Why wait before closing.</b> A replaced link takes no new calls, but a call may have taken
 * it (its in-flight count raised by the selector) just before the switch and not be sent yet;
 * closing the connection sends GOAWAY, and a call sent after that fails. So the link is closed only
 * when its in-flight count, which covers a call from selection to reply, is zero. The selector
 * gives a link back when it finds that the link was replaced after it raised the count
 * ({@link PoolSelector}), so once the count reads zero after the switch no call can still be on its
 * way there. Closing is still graceful ({@link Link#closeAsync()}: calls in flight after the grace
 * get the connection's own drain time).
 *
 * <p>The count is checked on the scheduler every {@link #CHECK_EVERY} while a link drains, rather
 * than hooked into every call's completion: draining is rare and the call path stays untouched.
 *
 * <p>Not thread-safe: confined to the supervisor's scheduler.
 */
final class LinkDrain {
    /** How often a draining link's in-flight count is looked at. */
    static final Duration CHECK_EVERY = Duration.ofMillis(50);

    private final Scheduler scheduler;
    private final Duration grace;
    private final Map<Link, Scheduler.Cancellable> draining = new IdentityHashMap<>();

    /** @param grace how long a replaced link may keep calls in flight before it is closed anyway */
    LinkDrain(Scheduler scheduler, Duration grace) {
        this.scheduler = scheduler;
        this.grace = grace;
    }

    /** Takes {@code link}, which takes no new calls, and closes it once drained. */
    void drain(Link link) {
        check(link, scheduler.nanoTime() + grace.toNanos());
    }

    private void check(Link link, long deadline) {
        long left = deadline - scheduler.nanoTime();
        if (link.inFlight().get() <= 0 || left <= 0 || link.closeFuture().isDone()) {
            draining.remove(link);
            link.closeAsync();
            return;
        }
        long next = Math.min(CHECK_EVERY.toNanos(), left);
        draining.put(link, scheduler.schedule(() -> {
            if (draining.containsKey(link)) {
                check(link, deadline);
            }
        }, Duration.ofNanos(next)));
    }

    /** {@code link} closed by itself: nothing left to do for it. */
    void closed(Link link) {
        Scheduler.Cancellable timer = draining.remove(link);
        if (timer != null) {
            timer.cancel();
        }
    }

    /** Whether {@code link} is draining. */
    boolean isDraining(Link link) {
        return draining.containsKey(link);
    }

    /** Closes every link still draining now (gracefully); completes once they have closed. */
    CompletableFuture<Void> closeAll() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Map.Entry<Link, Scheduler.Cancellable> e : draining.entrySet()) {
            e.getValue().cancel();
            closing.add(e.getKey().closeAsync());
        }
        draining.clear();
        return CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]));
    }
}
