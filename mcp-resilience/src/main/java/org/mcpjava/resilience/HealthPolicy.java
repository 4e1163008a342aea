package org.mcpjava.resilience;

import java.time.Duration;
import java.util.Objects;

/**
 * How connection health is judged. Every {@link #checkInterval()} the client sends a PING and waits
 * for its PONG up to the connection's RTO ({@link RttEstimator}); call latencies are RTT samples too.
 * A probe with no answer in time, or a call that ended with DEADLINE_EXCEEDED, is a failure; any
 * answer resets the count. The health score is
 * <pre>
 *   score = 1 / (1 + consecutiveFailures) * min(1, degradedRto / RTO)
 * </pre>
 * (1 is perfect). A connection whose score falls below {@link #minScore()} is replaced: a pool dials
 * the replacement first and moves traffic when it is up; a {@link ResilientClient}, whose session
 * can live on one connection only, closes it gracefully and resumes on a new one.
 *
 * @param checkInterval time between probes; zero disables probing (default 5 s)
 * @param minScore      below this score a connection is replaced, 0 to 1 (default 0.3: three
 *                      failures in a row, or an RTO over three times {@code degradedRto})
 * @param degradedRto   the RTO from which latency lowers the score (default 2 s)
 * @param minRto        lower bound of the RTO (default 1 s, as in RFC 6298)
 * @param maxRto        upper bound of the RTO (default 60 s)
 */
public record HealthPolicy(Duration checkInterval, double minScore, Duration degradedRto, Duration minRto,
                           Duration maxRto) {

    /** Validates every value; the message names the bad one. */
    public HealthPolicy {
        Objects.requireNonNull(checkInterval, "checkInterval");
        if (checkInterval.isNegative()) {
            throw new IllegalArgumentException("checkInterval must be zero or positive: " + checkInterval);
        }
        if (!(minScore >= 0.0 && minScore <= 1.0)) {
            throw new IllegalArgumentException("minScore must be 0..1: " + minScore);
        }
        Objects.requireNonNull(degradedRto, "degradedRto");
        if (degradedRto.isNegative() || degradedRto.isZero()) {
            throw new IllegalArgumentException("degradedRto must be positive: " + degradedRto);
        }
        new RttEstimator(minRto, maxRto, minRto); // validates the bounds
    }

    /** Probe every 5 s, replace below 0.3, latency counts from an RTO of 2 s, RTO within 1-60 s. */
    public static HealthPolicy defaults() {
        return new HealthPolicy(Duration.ofSeconds(5), 0.3, Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofSeconds(60));
    }

    /** The score for {@code consecutiveFailures} and {@code rto}. */
    public double score(int consecutiveFailures, Duration rto) {
        double latency = Math.min(1.0, (double) degradedRto.toNanos() / Math.max(1, rto.toNanos()));
        return latency / (1 + Math.max(0, consecutiveFailures));
    }

    /** A new estimator with this policy's RTO bounds (initial RTO = the minimum). */
    public RttEstimator newEstimator() {
        return new RttEstimator(minRto, maxRto, minRto);
    }

    /** A copy with {@code checkInterval} (zero disables probing). */
    public HealthPolicy checkInterval(Duration checkInterval) {
        return new HealthPolicy(checkInterval, minScore, degradedRto, minRto, maxRto);
    }

    /** A copy with {@code minScore}. */
    public HealthPolicy minScore(double minScore) {
        return new HealthPolicy(checkInterval, minScore, degradedRto, minRto, maxRto);
    }

    /** A copy with {@code degradedRto}. */
    public HealthPolicy degradedRto(Duration degradedRto) {
        return new HealthPolicy(checkInterval, minScore, degradedRto, minRto, maxRto);
    }

    /** A copy with these RTO bounds. */
    public HealthPolicy rtoBounds(Duration minRto, Duration maxRto) {
        return new HealthPolicy(checkInterval, minScore, degradedRto, minRto, maxRto);
    }
}
