package org.mcpjava.broker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets one warning through per interval, so that an event repeated for every message (each one
 * counted in {@link BrokerStats}) logs once in a while instead of flooding the log. Thread-safe
 * and lock-free.
 */
final class WarningGate {
    private final long intervalNanos;
    private final AtomicLong lastNanos;

    WarningGate(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.lastNanos = new AtomicLong(System.nanoTime() - intervalNanos);
    }

    /** True for the first caller once the interval since the last warning has passed. */
    boolean tryOpen() {
        long now = System.nanoTime();
        long last = lastNanos.get();
        return now - last >= intervalNanos && lastNanos.compareAndSet(last, now);
    }
}
