package org.mcpjava.broker.topic;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link RetainedMessages}: set, clear, and lookup by filter with the matching rules. */
class RetainedMessagesTest {
    private final RetainedMessages<String> retained = new RetainedMessages<>();

    private Map<String, String> matching(String filter) {
        Map<String, String> out = new HashMap<>();
        retained.forEachMatching(filter, (topic, m) -> assertNull(out.put(topic, m), topic));
        return out;
    }

    @Test
    void putReplacesAndRemoveClears() {
        assertNull(retained.put("a/b", "m1"));
        assertEquals("m1", retained.put("a/b", "m2"));
        assertEquals("m2", retained.get("a/b"));
        assertEquals(1, retained.size());
        assertEquals("m2", retained.remove("a/b"));
        assertNull(retained.remove("a/b"));
        assertNull(retained.get("a/b"));
        assertEquals(0, retained.size());
    }

    @Test
    void forEachMatchingFollowsTheFilterRules() {
        retained.put("a", "1");
        retained.put("a/b", "2");
        retained.put("a/b/c", "3");
        retained.put("a//c", "4");
        retained.put("b", "5");
        retained.put("$SYS/up", "6");
        assertEquals(Map.of("a/b", "2"), matching("a/b"));
        assertEquals(Map.of(), matching("a/x"));
        assertEquals(Map.of("a", "1", "a/b", "2", "a/b/c", "3", "a//c", "4"), matching("a/#"));
        assertEquals(Map.of("a/b/c", "3", "a//c", "4"), matching("a/+/c"));
        assertEquals(Map.of("a", "1", "b", "5"), matching("+"));
        assertEquals(Map.of("a", "1", "a/b", "2", "a/b/c", "3", "a//c", "4", "b", "5"), matching("#"));
        assertEquals(Map.of("$SYS/up", "6"), matching("$SYS/#"));
        assertEquals(Map.of("$SYS/up", "6"), matching("$SYS/up"));
    }

    @Test
    void rejectsNulls() {
        assertThrows(NullPointerException.class, () -> retained.put("a", null));
        assertThrows(NullPointerException.class, () -> retained.put(null, "m"));
        assertThrows(NullPointerException.class, () -> retained.forEachMatching(null, (t, m) -> { }));
    }
}
