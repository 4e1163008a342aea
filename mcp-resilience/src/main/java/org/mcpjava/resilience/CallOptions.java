package org.mcpjava.resilience;

import java.time.Duration;

/**
 * Per-call settings; {@code null} fields take the client's defaults. Immutable.
 *
 * <pre>{@code
 * client.call(0x0001, payload, CallOptions.defaults().timeout(Duration.ofSeconds(5)).waitForReady(true));
 * }</pre>
 *
 * @param timeout      the call's deadline, covering waiting for a connection, every attempt and the
 *                     pauses between them; {@code null} for the client's default
 * @param waitForReady while there is no connection: {@code true} waits for one (up to the deadline),
 *                     {@code false} fails at once with UNAVAILABLE; {@code null} for the client's default
 * @param idempotent   whether the call may be repeated after a failure although its opcode is not in
 *                     the {@link RetryPolicy}'s idempotent set
 */
public record CallOptions(Duration timeout, Boolean waitForReady, boolean idempotent) {
    private static final CallOptions DEFAULTS = new CallOptions(null, null, false);

    /** Validates the timeout. */
    public CallOptions {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /** The client's defaults for everything. */
    public static CallOptions defaults() {
        return DEFAULTS;
    }

    /** A copy with {@code timeout}. */
    public CallOptions timeout(Duration timeout) {
        return new CallOptions(timeout, waitForReady, idempotent);
    }

    /** A copy with {@code waitForReady}. */
    public CallOptions waitForReady(boolean waitForReady) {
        return new CallOptions(timeout, waitForReady, idempotent);
    }

    /** A copy with {@code idempotent}. */
    public CallOptions idempotent(boolean idempotent) {
        return new CallOptions(timeout, waitForReady, idempotent);
    }
}
