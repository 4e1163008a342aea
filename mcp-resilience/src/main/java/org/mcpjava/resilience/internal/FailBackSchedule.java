package org.mcpjava.resilience.internal;

import org.mcpjava.resilience.ReconnectPolicy;
import org.mcpjava.resilience.Scheduler;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * When a pool slot connected away from its preferred endpoint next probes that endpoint: the
 * {@link ReconnectPolicy}'s backoff and jitter, counted in failed probes since the slot last reached
 * its preferred endpoint (so the first probe comes {@code initialDelay} after the failover, and a
 * long outage is probed at most every {@code maxDelay}, with the policy's pauses).
 *
 * <p>At most one probe is scheduled at a time. Not thread-safe: confined to the supervisor's scheduler.
 */
final class FailBackSchedule {
    private final ReconnectPolicy policy;
    private final DoubleSupplier random;
    private final Scheduler scheduler;
    private int failures;
    private Scheduler.Cancellable timer;
    private Duration lastDelay;

    FailBackSchedule(ReconnectPolicy policy, DoubleSupplier random, Scheduler scheduler) {
        this.policy = policy;
        this.random = random;
        this.scheduler = scheduler;
    }

    /** Schedules {@code probe} after the delay the failures so far call for, unless one is scheduled. */
    void arm(Runnable probe) {
        if (timer != null) {
            return;
        }
        Duration delay = policy.delay(failures + 1, random.getAsDouble());
        lastDelay = delay;
        timer = scheduler.schedule(() -> {
            timer = null;
            probe.run();
        }, delay);
    }

    /** A probe failed: the next one waits longer. */
    void failed() {
        failures++;
    }

    /** The slot is on its preferred endpoint again: nothing to probe, and the backoff starts over. */
    void reachedPreferred() {
        failures = 0;
        cancel();
    }

    /** Calls off the scheduled probe, if any. */
    void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** Failed probes since the slot last reached its preferred endpoint. */
    int failures() {
        return failures;
    }

    /** The delay chosen for the last probe scheduled, or {@code null}. */
    Duration lastDelay() {
        return lastDelay;
    }
}
