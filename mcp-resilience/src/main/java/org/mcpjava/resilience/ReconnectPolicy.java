package org.mcpjava.resilience;

import java.time.Duration;
import java.util.Objects;

/**
 * When to dial again after a failed attempt: exponential backoff with jitter, and a longer pause
 * after a run of failures. Immutable; each same-name method taking a value returns a validated copy.
 *
 * <p>A <em>failure</em> is a round in which every endpoint was tried and none connected (with one
 * endpoint, every failed dial). Within a round the next endpoint is dialed at once. After failure
 * {@code n} the client waits
 * <pre>
 *   base(n) = pause                                        if pauseAfter &gt; 0 and n % pauseAfter == 0
 *           = min(initialDelay * multiplier^k, maxDelay)   otherwise, k = (n - 1) % pauseAfter (or n - 1)
 *   delay(n) = base(n) * (1 + jitter * (2u - 1)),  u uniform in [0, 1)
 * </pre>
 * so the delay lies in {@code [base(1 - jitter), base(1 + jitter)]}, and after each pause the sequence
 * starts again from {@code initialDelay}. The first attempt after a connection is lost is immediate.
 *
 * @param initialDelay delay after the first failure (default 1 s)
 * @param multiplier   growth per failure, at least 1 (default 1.5)
 * @param maxDelay     cap of the exponential part (default 30 s)
 * @param jitter       relative spread, 0 to 1 (default 0.2: plus or minus 20%)
 * @param pauseAfter   failures after which the longer pause applies; 0 for never (default 10)
 * @param pause        the longer pause (default 2 min)
 */
public record ReconnectPolicy(Duration initialDelay, double multiplier, Duration maxDelay, double jitter,
                              int pauseAfter, Duration pause) {

    /** Validates every value; the message names the bad one. */
    public ReconnectPolicy {
        positive(initialDelay, "initialDelay");
        positive(maxDelay, "maxDelay");
        positive(pause, "pause");
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " is below initialDelay " + initialDelay);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be >= 1: " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be 0..1: " + jitter);
        }
        if (pauseAfter < 0) {
            throw new IllegalArgumentException("pauseAfter must be >= 0: " + pauseAfter);
        }
    }

    /** 1 s initial, x1.5, 30 s cap, 20% jitter, a 2 min pause after every 10 failures. */
    public static ReconnectPolicy defaults() {
        return new ReconnectPolicy(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(30), 0.2, 10, Duration.ofMinutes(2));
    }

    /** The delay before the next attempt after {@code failures} consecutive failures (>= 1), without jitter. */
    public Duration baseDelay(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be >= 1: " + failures);
        }
        if (pauseAfter > 0 && failures % pauseAfter == 0) {
            return pause;
        }
        int k = pauseAfter > 0 ? (failures - 1) % pauseAfter : failures - 1;
        double nanos = initialDelay.toNanos() * Math.pow(multiplier, k);
        long capped = nanos >= maxDelay.toNanos() ? maxDelay.toNanos() : (long) nanos;
        return Duration.ofNanos(capped);
    }

    /**
     * The delay before the next attempt after {@code failures} consecutive failures, with jitter drawn
     * from {@code random}, a number in [0, 1).
     */
    public Duration delay(int failures, double random) {
        if (!(random >= 0.0 && random < 1.0)) {
            throw new IllegalArgumentException("random must be in [0, 1): " + random);
        }
        long base = baseDelay(failures).toNanos();
        return Duration.ofNanos(Math.max(0, (long) (base * (1.0 + jitter * (2.0 * random - 1.0)))));
    }

    /** A copy with {@code initialDelay}. */
    public ReconnectPolicy initialDelay(Duration initialDelay) {
        return new ReconnectPolicy(initialDelay, multiplier, maxDelay, jitter, pauseAfter, pause);
    }

    /** A copy with {@code multiplier}. */
    public ReconnectPolicy multiplier(double multiplier) {
        return new ReconnectPolicy(initialDelay, multiplier, maxDelay, jitter, pauseAfter, pause);
    }

    /** A copy with {@code maxDelay}. */
    public ReconnectPolicy maxDelay(Duration maxDelay) {
        return new ReconnectPolicy(initialDelay, multiplier, maxDelay, jitter, pauseAfter, pause);
    }

    /** A copy with {@code jitter}. */
    public ReconnectPolicy jitter(double jitter) {
        return new ReconnectPolicy(initialDelay, multiplier, maxDelay, jitter, pauseAfter, pause);
    }

    /** A copy that pauses for {@code pause} after every {@code failures} failures (0: never). */
    public ReconnectPolicy pauseAfter(int failures, Duration pause) {
        return new ReconnectPolicy(initialDelay, multiplier, maxDelay, jitter, failures, pause);
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
    }
}
