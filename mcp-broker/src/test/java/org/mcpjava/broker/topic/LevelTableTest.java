package org.mcpjava.broker.topic;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link LevelTable}: region lookups agree with whole-key lookups through growth and shrinking. */
class LevelTableTest {

    @Test
    void regionLookupFindsTheLevelInsideATopic() {
        LevelTable<String> table = new LevelTable<>();
        table.put("b", "B");
        table.put("", "EMPTY");
        table.put("bc", "BC");
        String topic = "a/b/bc//x";
        assertEquals("B", table.get(topic, 2, 3));
        assertEquals("BC", table.get(topic, 4, 6));
        assertEquals("EMPTY", table.get(topic, 7, 7));
        assertNull(table.get(topic, 0, 1));
        assertNull(table.get(topic, 2, 4)); // "b/"
    }

    @Test
    void growsAndShrinksKeepingEveryKey() {
        LevelTable<Integer> table = new LevelTable<>();
        for (int i = 0; i < 5000; i++) {
            assertNull(table.put("k" + i, i));
        }
        assertEquals(5000, table.size());
        assertEquals(7, table.put("k7", -7));
        assertEquals(5000, table.size());
        for (int i = 0; i < 5000; i++) {
            String topic = "x/k" + i + "/y";
            assertEquals(i == 7 ? -7 : i, table.get(topic, 2, topic.length() - 2));
        }
        for (int i = 0; i < 4990; i++) {
            assertEquals(i == 7 ? -7 : i, table.remove("k" + i));
        }
        assertNull(table.remove("k0"));
        assertEquals(10, table.size());
        for (int i = 4990; i < 5000; i++) {
            assertEquals(i, table.get("k" + i));
        }
        for (int i = 4990; i < 5000; i++) {
            table.remove("k" + i);
        }
        assertTrue(table.isEmpty());
    }
}
