package org.mcpjava.resilience;

/**
 * Counters of a {@link ResilientClient}'s outbox (the offline queue in front of the connection).
 *
 * @param queued       messages accepted and not yet acknowledged (waiting or in flight)
 * @param inFlight     of those, messages handed to a connection and awaiting PUBACK / PUBCOMP
 * @param acknowledged messages the server acknowledged (QoS 0: written) since the client started
 * @param expired      messages dropped unsent because their expiry passed
 * @param dropped      messages dropped for {@link OverflowPolicy#DROP_OLDEST}, for their retry
 *                     count, or because the server refused them for good (NACK, or too large for
 *                     its MAX_FRAME)
 * @param rejected     publishes refused because the queue was full ({@link OverflowPolicy#REJECT_NEW})
 */
public record QueueStats(int queued, int inFlight, long acknowledged, long expired, long dropped, long rejected) {
}
