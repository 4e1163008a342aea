package org.mcpjava.resilience;

import org.mcpjava.core.Ticker;

import java.time.Duration;

/**
 * The clock and timer of a resilient client: reconnect backoff, health checks, call deadlines and
 * retry delays all go through it, so tests can replace it with one they move by hand.
 *
 * <p><b>Contract.</b> Tasks given to {@link #execute} and tasks whose delay has passed run one at a
 * time, never concurrently, in the order they were submitted or became due: the client confines its
 * control state to them. Tasks must not block. {@link #nanoTime()} is the clock the delays are
 * measured with. Thread-safe.
 */
public interface Scheduler extends Ticker {
    /** Runs {@code task} soon, after the tasks submitted before it. */
    void execute(Runnable task);

    /** Runs {@code task} once {@code delay} has passed on this scheduler's clock. */
    Cancellable schedule(Runnable task, Duration delay);

    /** A scheduled task that can be called off. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not started; returns whether it was cancelled. */
        boolean cancel();
    }
}
