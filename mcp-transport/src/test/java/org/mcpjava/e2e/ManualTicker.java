package org.mcpjava.e2e;

import org.mcpjava.core.Ticker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that only moves when a test calls {@link #advance(Duration)}. Thread-safe: the
 * test thread advances it while event loops read it.
 */
final class ManualTicker implements Ticker {
    // Far from zero so that "now - then" arithmetic never depends on the origin.
    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    /** Moves time forward by {@code by}. */
    void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }
}
