package org.mcpjava.broker;

import org.mcpjava.broker.store.SessionStore;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The QoS 2 packet ids one session's client sent PUBLISH with and has not yet released (PUBREL):
 * a PUBLISH that reuses one is a retransmission, answered without routing it again. A durable
 * session keeps them in the store too, so a restarted server still recognises the retransmission.
 *
 * <p><b>Threads.</b> Not thread-safe and has no lock of its own: it is confined under its
 * {@link Session}'s monitor, and every method is called holding it. Its store calls are therefore
 * made under the session's lock (lock order: session, then store).
 */
final class InboundQos2Ids {
    private final SessionStore store;
    private final byte[] sessionId;
    private final Set<Long> ids = new HashSet<>();

    InboundQos2Ids(SessionStore store, byte[] sessionId) {
        this.store = store;
        this.sessionId = sessionId;
    }

    /** Takes back the ids a store kept (no store call). */
    void restore(Collection<Long> stored) {
        ids.addAll(stored);
    }

    /**
     * Records {@code packetId}; false if it was already known (a duplicate).
     *
     * @param durable whether the session is stored (then the store records it too)
     */
    boolean add(long packetId, boolean durable) {
        if (!ids.add(packetId)) {
            return false;
        }
        if (durable) {
            store.addInboundQos2(sessionId, packetId);
        }
        return true;
    }

    /** Whether {@code packetId} is recorded. */
    boolean contains(long packetId) {
        return ids.contains(packetId);
    }

    /** PUBREL: forgets {@code packetId}, in the store too when {@code durable} and it was known. */
    void remove(long packetId, boolean durable) {
        if (ids.remove(packetId) && durable) {
            store.removeInboundQos2(sessionId, packetId);
        }
    }

    /** Forgets every id (the session ended; the store drops them with the session). */
    void clear() {
        ids.clear();
    }
}
