package org.mcpjava.resilience.internal;

import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.ConnectionHealth;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.HealthPolicy;
import org.mcpjava.resilience.RttEstimator;

import java.time.Duration;

/**
 * The health of one connection: an {@link RttEstimator} fed by PING round trips and call latencies,
 * and the count of consecutive failures (probes unanswered within the RTO, calls that hit their
 * deadline). Thread-safe: fed from I/O threads, read by the supervisor.
 */
public final class HealthMonitor {
    private final HealthPolicy policy;
    private final RttEstimator rtt;
    private int consecutiveFailures;

    /** A monitor judging by {@code policy}. */
    public HealthMonitor(HealthPolicy policy) {
        this.policy = policy;
        this.rtt = policy.newEstimator();
    }

    /** An answer came back after {@code roundTrip}: a sample, and the failure count resets. */
    public synchronized void success(Duration roundTrip) {
        rtt.sample(roundTrip);
        consecutiveFailures = 0;
    }

    /** An answer came back, but its latency says nothing of the network (e.g. an ERROR): resets the count. */
    public synchronized void answered() {
        consecutiveFailures = 0;
    }

    /** A probe or call got no answer in time: one more failure, and the RTO backs off. */
    public synchronized void failure() {
        consecutiveFailures++;
        rtt.backoff();
    }

    /** The time a probe waits for its PONG. */
    public Duration rto() {
        return rtt.rto();
    }

    /** The current score (see {@link HealthPolicy}). */
    public synchronized double score() {
        return policy.score(consecutiveFailures, rtt.rto());
    }

    /** Whether the score is below the policy's minimum. */
    public boolean unhealthy() {
        return score() < policy.minScore();
    }

    /** Consecutive failures. */
    public synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** A snapshot for the API. */
    public synchronized ConnectionHealth snapshot(Endpoint endpoint, ClientState state, int inFlight) {
        return new ConnectionHealth(endpoint, state, rtt.srtt(), rtt.rttvar(), rtt.rto(), consecutiveFailures,
                policy.score(consecutiveFailures, rtt.rto()), inFlight);
    }
}
