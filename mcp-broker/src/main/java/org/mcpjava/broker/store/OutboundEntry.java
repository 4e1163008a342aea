package org.mcpjava.broker.store;

/**
 * A message in a session's outbound queue, in delivery order.
 *
 * @param sequence  the session's ordering key, increasing in enqueue order
 * @param packetId  the packet id once PUBLISHED (1 .. 2^32-1), else 0
 * @param state     where it stands
 * @param message   the message with the QoS it is delivered at
 */
public record OutboundEntry(long sequence, long packetId, OutboundState state, StoredMessage message) {
}
