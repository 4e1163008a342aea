package org.mcpjava.broker.store;

import java.util.Map;
import java.util.Set;

/**
 * Everything a store returns about one session when the server starts.
 *
 * @param sessionId          16 bytes
 * @param clientId           CLIENT_ID of the client that created it (may be null)
 * @param owner              the authenticated principal that owns it; a resume by anyone else is refused
 * @param expirySeconds      SESSION_EXPIRY_S granted
 * @param disconnectedAtMillis when its last connection closed (epoch millis), or 0 if it was attached
 *                           when the server stopped (the server then treats the stop as the disconnect)
 * @param subscriptions      filter -> max QoS
 * @param outbound           queued and unacknowledged messages, by increasing sequence
 * @param inboundQos2        packet ids of QoS 2 PUBLISH received from the client and not yet released
 * @param nextPacketId       the next packet id to use towards the client
 */
public record SessionRecord(byte[] sessionId, String clientId, String owner, long expirySeconds,
                            long disconnectedAtMillis, Map<String, Integer> subscriptions,
                            java.util.List<OutboundEntry> outbound, Set<Long> inboundQos2, long nextPacketId) {
}
