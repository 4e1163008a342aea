package org.mcpjava.resilience;

import java.time.Duration;

/**
 * A snapshot of one connection's health (see {@link HealthPolicy}).
 *
 * @param endpoint            where it is connected, or {@code null} if it is not
 * @param state               the state of the connection's slot
 * @param srtt                smoothed round-trip time, or {@code null} before the first sample
 * @param rttvar              round-trip time variation, or {@code null} before the first sample
 * @param rto                 the current retransmission timeout (the health probe's patience)
 * @param consecutiveFailures probes or calls in a row that got no answer in time
 * @param score               1 is perfect, 0 is dead; below the policy's minimum it is replaced
 * @param inFlight            calls in flight on it now
 */
public record ConnectionHealth(Endpoint endpoint, ClientState state, Duration srtt, Duration rttvar, Duration rto,
                               int consecutiveFailures, double score, int inFlight) {
}
