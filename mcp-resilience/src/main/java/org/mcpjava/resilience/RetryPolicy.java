package org.mcpjava.resilience;

import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which failed calls are tried again, how often and after how long. Requests are never replayed by
 * the protocol (a lost connection fails them with UNAVAILABLE), so only the application knows which
 * are safe to repeat: this policy retries a call only if its opcode is listed as idempotent (or the
 * call says so, {@link CallOptions#idempotent(boolean)}) and it failed with one of
 * {@link #retryableCodes()}. Retries stay within the call's deadline and follow its wait-for-ready
 * setting. Immutable; each same-name method taking a value returns a validated copy.
 *
 * @param maxAttempts       attempts in all, the first included; 1 disables retries (default 3)
 * @param idempotentOpcodes opcodes safe to repeat (default: the built-in ECHO 0xFF01 and INFO 0xFF02)
 * @param retryableCodes    error codes worth a retry (default UNAVAILABLE and OVERLOADED)
 * @param initialBackoff    delay before the second attempt (default 100 ms)
 * @param multiplier        growth per attempt, at least 1 (default 2)
 * @param maxBackoff        cap of the delay (default 2 s)
 * @param jitter            relative spread of each delay, 0 to 1 (default 0.2)
 */
public record RetryPolicy(int maxAttempts, Set<Integer> idempotentOpcodes, Set<Integer> retryableCodes,
                          Duration initialBackoff, double multiplier, Duration maxBackoff, double jitter) {

    /** Validates every value and freezes the sets; the message names the bad one. */
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
        }
        idempotentOpcodes = Set.copyOf(new TreeSet<>(Objects.requireNonNull(idempotentOpcodes, "idempotentOpcodes")));
        retryableCodes = Set.copyOf(Objects.requireNonNull(retryableCodes, "retryableCodes"));
        for (int op : idempotentOpcodes) {
            if (op < 0 || op > 0xFFFF) {
                throw new IllegalArgumentException("opcode must be 0-65535: " + op);
            }
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must be 0 <= initial <= max: " + initialBackoff + ", " + maxBackoff);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be >= 1: " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be 0..1: " + jitter);
        }
    }

    /** 3 attempts for ECHO and INFO on UNAVAILABLE or OVERLOADED, 100 ms x2 up to 2 s, 20% jitter. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Set.of(0xFF01, 0xFF02),
                Set.of(ErrorCode.UNAVAILABLE.code(), ErrorCode.OVERLOADED.code()),
                Duration.ofMillis(100), 2.0, Duration.ofSeconds(2), 0.2);
    }

    /** No retries at all. */
    public static RetryPolicy none() {
        return defaults().maxAttempts(1);
    }

    /**
     * Whether a call of {@code opcode} that failed with {@code code} on attempt {@code attempt}
     * (1-based) may be tried again; {@code idempotent} is the call's own claim.
     */
    public boolean shouldRetry(int opcode, boolean idempotent, int code, int attempt) {
        return attempt < maxAttempts && (idempotent || idempotentOpcodes.contains(opcode))
                && retryableCodes.contains(code);
    }

    /** The delay before attempt {@code attempt + 1}, with jitter from {@code random} in [0, 1). */
    public Duration backoff(int attempt, double random) {
        double nanos = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(nanos, maxBackoff.toNanos());
        return Duration.ofNanos(Math.max(0, (long) (capped * (1.0 + jitter * (2.0 * random - 1.0)))));
    }

    /** A copy with {@code maxAttempts}. */
    public RetryPolicy maxAttempts(int maxAttempts) {
        return new RetryPolicy(maxAttempts, idempotentOpcodes, retryableCodes, initialBackoff, multiplier, maxBackoff, jitter);
    }

    /** A copy that also treats {@code opcodes} as idempotent. */
    public RetryPolicy idempotent(int... opcodes) {
        Set<Integer> all = new TreeSet<>(idempotentOpcodes);
        for (int op : opcodes) {
            all.add(op);
        }
        return new RetryPolicy(maxAttempts, all, retryableCodes, initialBackoff, multiplier, maxBackoff, jitter);
    }

    /** A copy that retries on exactly {@code codes}. */
    public RetryPolicy retryOn(ErrorCode... codes) {
        Set<Integer> all = new TreeSet<>();
        for (ErrorCode c : codes) {
            all.add(c.code());
        }
        return new RetryPolicy(maxAttempts, idempotentOpcodes, all, initialBackoff, multiplier, maxBackoff, jitter);
    }

    /** A copy with this backoff. */
    public RetryPolicy backoff(Duration initial, double multiplier, Duration max) {
        return new RetryPolicy(maxAttempts, idempotentOpcodes, retryableCodes, initial, multiplier, max, jitter);
    }

    /** A copy with {@code jitter}. */
    public RetryPolicy jitter(double jitter) {
        return new RetryPolicy(maxAttempts, idempotentOpcodes, retryableCodes, initialBackoff, multiplier, maxBackoff, jitter);
    }
}
