package org.mcpjava.resilience;

import java.time.Duration;

/**
 * Round-trip time estimation as in RFC 6298: a smoothed RTT (SRTT), its variation (RTTVAR) and the
 * retransmission timeout RTO = SRTT + max(G, 4 * RTTVAR), bounded below and above. Fed with PING/PONG
 * round trips and call latencies; the RTO is what a health check waits for its PONG.
 *
 * <ul>
 *   <li>Before any sample: RTO = the initial RTO (RFC: 1 s), SRTT and RTTVAR unknown.</li>
 *   <li>First sample R: SRTT = R, RTTVAR = R / 2.</li>
 *   <li>Later samples: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, then SRTT = 7/8 SRTT + 1/8 R.</li>
 *   <li>{@link #backoff()} (a probe timed out): RTO doubles, up to the maximum (RFC 6298 5.5);
 *       the next sample recomputes it.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class RttEstimator {
    private static final long K = 4;

    private final long minRtoNanos;
    private final long maxRtoNanos;
    private final long granularityNanos;
    private long srtt = -1;
    private long rttvar = -1;
    private long rto;
    private long samples;

    /** RFC 6298's bounds: RTO at least 1 s, at most 60 s, initially 1 s; clock granularity 1 ms. */
    public RttEstimator() {
        this(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(1));
    }

    /**
     * @param minRto     lower bound of the RTO (RFC 6298 says 1 s; a LAN may want less)
     * @param maxRto     upper bound of the RTO, at least {@code minRto}
     * @param initialRto the RTO before the first sample, within the bounds
     */
    public RttEstimator(Duration minRto, Duration maxRto, Duration initialRto) {
        if (minRto.isNegative() || minRto.isZero() || maxRto.compareTo(minRto) < 0
                || initialRto.compareTo(minRto) < 0 || initialRto.compareTo(maxRto) > 0) {
            throw new IllegalArgumentException("need 0 < minRto <= initialRto <= maxRto: " + minRto + ", "
                    + initialRto + ", " + maxRto);
        }
        this.minRtoNanos = minRto.toNanos();
        this.maxRtoNanos = maxRto.toNanos();
        this.granularityNanos = Duration.ofMillis(1).toNanos();
        this.rto = initialRto.toNanos();
    }

    /** Adds one round-trip measurement. */
    public synchronized void sample(Duration rtt) {
        long r = Math.max(0, rtt.toNanos());
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        samples++;
        rto = clamp(srtt + Math.max(granularityNanos, K * rttvar));
    }

    /** A probe got no answer within the RTO: doubles the RTO (up to the maximum). */
    public synchronized void backoff() {
        rto = clamp(rto > maxRtoNanos / 2 ? maxRtoNanos : rto * 2);
    }

    private long clamp(long nanos) {
        return Math.max(minRtoNanos, Math.min(maxRtoNanos, nanos));
    }

    /** The smoothed RTT, or {@code null} before the first sample. */
    public synchronized Duration srtt() {
        return srtt < 0 ? null : Duration.ofNanos(srtt);
    }

    /** The RTT variation, or {@code null} before the first sample. */
    public synchronized Duration rttvar() {
        return rttvar < 0 ? null : Duration.ofNanos(rttvar);
    }

    /** The current retransmission timeout. */
    public synchronized Duration rto() {
        return Duration.ofNanos(rto);
    }

    /** Samples taken so far. */
    public synchronized long samples() {
        return samples;
    }
}
