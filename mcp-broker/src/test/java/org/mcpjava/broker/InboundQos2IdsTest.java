package org.mcpjava.broker;

import org.junit.jupiter.api.Test;
import org.mcpjava.broker.store.InMemorySessionStore;
import org.mcpjava.broker.store.SessionRecord;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link InboundQos2Ids}: duplicates recognised; the store follows only for a durable session. */
class InboundQos2IdsTest {
    private static final byte[] ID = new byte[16];
    private final InMemorySessionStore store = new InMemorySessionStore();
    private final InboundQos2Ids ids = new InboundQos2Ids(store, ID);

    private Set<Long> stored() {
        List<SessionRecord> records = store.load();
        return records.isEmpty() ? Set.of() : records.get(0).inboundQos2();
    }

    @Test
    void aSecondAddOfTheSameIdIsADuplicateUntilRemoved() {
        assertTrue(ids.add(7, false));
        assertFalse(ids.add(7, false));
        assertTrue(ids.contains(7));
        ids.remove(7, false);
        assertFalse(ids.contains(7));
        assertTrue(ids.add(7, false));
    }

    @Test
    void aDurableSessionKeepsItsIdsInTheStore() {
        store.saveSession(ID, "c", "o", 60, 1);
        ids.add(1, true);
        ids.add(2, true);
        assertEquals(Set.of(1L, 2L), stored());
        ids.remove(1, true);
        assertEquals(Set.of(2L), stored());
    }

    @Test
    void aNonDurableSessionNeverTouchesTheStore() {
        ids.add(1, false);
        ids.remove(1, false);
        ids.add(2, false);
        assertEquals(List.of(), store.load());
    }

    @Test
    void restoredIdsAreKnownAndClearForgetsThem() {
        ids.restore(Set.of(3L, 4L));
        assertTrue(ids.contains(3));
        assertFalse(ids.add(4, false));
        ids.clear();
        assertFalse(ids.contains(3));
        assertEquals(List.of(), store.load(), "restore and clear make no store call");
    }
}
