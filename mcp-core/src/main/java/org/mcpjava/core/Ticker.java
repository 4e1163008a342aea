package org.mcpjava.core;

/**
 * A monotonic clock in nanoseconds. Keepalive, handshake timeouts and other timers read it so
 * that tests can move time by hand instead of waiting.
 */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds from an arbitrary origin; only differences are meaningful. */
    long nanoTime();

    /** The system's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
