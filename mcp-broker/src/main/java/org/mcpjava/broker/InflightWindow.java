package org.mcpjava.broker;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The QoS 1/2 messages one session sent its client and that wait for acknowledgement, by packet
 * id, in the order they were first sent; and the packet ids they get. Its size is held against the
 * client's RECEIVE_WINDOW by {@link Outbox}.
 *
 * <p><b>Packet ids.</b> A message's id is derived from its sequence. The PUBLISH goes out before
 * its PUBLISHED state is durable; were the id allocated freely, a message re-sent after a crash
 * could get another id than the client saw (a QoS 2 duplicate the client cannot recognise) and its
 * old id go to another message (which the client would take for a duplicate and drop). The
 * sequence is durable before the message is first sent, so the id is the same every time. Ids run
 * from 1 to 2<sup>32</sup> - 1.
 *
 * <p><b>Threads.</b> Not thread-safe and has no lock of its own: it is confined under its
 * {@link Session}'s monitor, and every method is called holding it. It makes no store calls.
 */
final class InflightWindow {
    private static final long MAX_PACKET_ID = 0xFFFF_FFFFL;

    private final LinkedHashMap<Long, Pending> byPacketId = new LinkedHashMap<>();
    private long nextPacketId = 1;

    /**
     * Takes back messages a store kept in flight, in their original order, with their packet ids;
     * the next free-running id is {@code nextPacket}, or past the highest id taken, and 1 after wrap.
     */
    void restore(List<Pending> sent, long nextPacket) {
        long maxPacket = 0;
        for (Pending p : sent) {
            byPacketId.put(p.packetId, p);
            maxPacket = Math.max(maxPacket, p.packetId);
        }
        nextPacketId = Math.max(Math.max(1, nextPacket), maxPacket + 1);
        if (nextPacketId > MAX_PACKET_ID) {
            nextPacketId = 1;
        }
    }

    /** The next id of the free-running allocator (stored with the session). */
    long nextPacketId() {
        return nextPacketId;
    }

    /** Gives {@code p} its packet id (see the class comment) and adds it, last in order. */
    void add(Pending p) {
        p.packetId = packetIdFor(p);
        byPacketId.put(p.packetId, p);
    }

    private long packetIdFor(Pending p) {
        long candidate = (p.sequence - 1) % MAX_PACKET_ID + 1;
        // Taken only after 2^32 - 1 messages with one of them still unacknowledged.
        return byPacketId.containsKey(candidate) ? allocatePacketId() : candidate;
    }

    private long allocatePacketId() {
        for (int tries = 0; tries < 1_000_000; tries++) {
            long candidate = nextPacketId++;
            if (nextPacketId > MAX_PACKET_ID) {
                nextPacketId = 1;
            }
            if (!byPacketId.containsKey(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free packet id");
    }

    /** The message in flight with {@code packetId}, or {@code null}. */
    Pending get(long packetId) {
        return byPacketId.get(packetId);
    }

    /** Whether {@code p} itself is still in flight (not acknowledged, not replaced). */
    boolean holds(Pending p) {
        return byPacketId.get(p.packetId) == p;
    }

    /** Removes the message with {@code packetId}. */
    void remove(long packetId) {
        byPacketId.remove(packetId);
    }

    /** Messages in flight. */
    int size() {
        return byPacketId.size();
    }

    /** The messages in the order first sent; supports {@link Iterator#remove}. */
    Iterator<Pending> iterator() {
        return byPacketId.values().iterator();
    }

    /** Drops every message (no store call). */
    void clear() {
        byPacketId.clear();
    }
}
