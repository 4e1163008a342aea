package org.mcpjava.broker;

import org.junit.jupiter.api.Test;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.StoredMessage;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link InflightWindow}: packet ids derived from the sequence, order kept, restore rules. */
class InflightWindowTest {
    private static final long MAX_ID = 0xFFFF_FFFFL;
    private final InflightWindow window = new InflightWindow();

    private static Pending pending(long sequence) {
        return new Pending(null, sequence, new StoredMessage("t", 1, false, 0, new byte[0], 0), 0, false);
    }

    private static Pending sent(long sequence, long packetId) {
        Pending p = pending(sequence);
        p.packetId = packetId;
        p.state = OutboundState.PUBLISHED;
        return p;
    }

    private List<Long> ids() {
        List<Long> out = new ArrayList<>();
        for (Iterator<Pending> it = window.iterator(); it.hasNext(); ) {
            out.add(it.next().packetId);
        }
        return out;
    }

    @Test
    void thePacketIdIsTheSequenceWrappedAtTwoToTheThirtyTwo() {
        Pending a = pending(5);
        Pending b = pending(MAX_ID + 2);
        window.add(a);
        window.add(b);
        assertEquals(5, a.packetId);
        assertEquals(2, b.packetId);
        assertEquals(List.of(5L, 2L), ids(), "in the order first sent");
        assertSame(a, window.get(5));
        assertEquals(2, window.size());
    }

    @Test
    void aTakenIdFallsBackToTheFreeRunningAllocator() {
        window.add(pending(1));
        Pending clash = pending(MAX_ID + 1); // derives 1, still in flight
        window.add(clash);
        assertEquals(2, clash.packetId, "next free-running id that is not in flight");
        assertEquals(3, window.nextPacketId());
    }

    @Test
    void removeAndHoldsTrackTheExactEntry() {
        Pending p = pending(9);
        window.add(p);
        assertTrue(window.holds(p));
        assertFalse(window.holds(pending(9)), "another entry with the same id is not held");
        window.remove(9);
        assertNull(window.get(9));
        assertFalse(window.holds(p));
    }

    @Test
    void restoreKeepsOrderAndMovesTheAllocatorPastTheHighestId() {
        window.restore(List.of(sent(3, 30), sent(4, 7)), 5);
        assertEquals(List.of(30L, 7L), ids());
        assertEquals(31, window.nextPacketId());
    }

    @Test
    void restoreTakesTheStoredNextIdWhenHigherAndWrapsAtTheTop() {
        window.restore(List.of(), 100);
        assertEquals(100, window.nextPacketId());
        InflightWindow fresh = new InflightWindow();
        fresh.restore(List.of(), 0);
        assertEquals(1, fresh.nextPacketId());
        InflightWindow top = new InflightWindow();
        top.restore(List.of(sent(1, MAX_ID)), 1);
        assertEquals(1, top.nextPacketId(), "past the top wraps to 1");
    }

    @Test
    void clearEmptiesTheWindow() {
        window.add(pending(1));
        window.clear();
        assertEquals(0, window.size());
        assertEquals(List.of(), ids());
    }
}
