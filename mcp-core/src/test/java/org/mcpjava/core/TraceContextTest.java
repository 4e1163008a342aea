package org.mcpjava.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounds of {@link TraceContext}: what {@link TraceContext#of} keeps, and what the constructor refuses. */
class TraceContextTest {
    private static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void ofKeepsWhatFitsTheBounds() {
        assertEquals(new TraceContext(PARENT, "congo=t61rcWkgMzE"), TraceContext.of(PARENT, "congo=t61rcWkgMzE"));
        assertEquals(new TraceContext(PARENT, null), TraceContext.of(PARENT, null));
        assertEquals(new TraceContext(PARENT, null), TraceContext.of(PARENT, ""), "an empty tracestate is none");
        String longest = "p".repeat(TraceContext.MAX_TRACEPARENT);
        String state = "s".repeat(TraceContext.MAX_TRACESTATE);
        assertEquals(new TraceContext(longest, state), TraceContext.of(longest, state));
    }

    @Test
    void ofDropsAnOversizeTracestateAndNeedsAUsableTraceparent() {
        assertEquals(new TraceContext(PARENT, null),
                TraceContext.of(PARENT, "s".repeat(TraceContext.MAX_TRACESTATE + 1)));
        assertNull(TraceContext.of(null, "congo=t61rcWkgMzE"));
        assertNull(TraceContext.of("", "congo=t61rcWkgMzE"));
        assertNull(TraceContext.of("p".repeat(TraceContext.MAX_TRACEPARENT + 1), "congo=t61rcWkgMzE"));
    }

    @Test
    void theConstructorRefusesWhatOfWouldDrop() {
        assertThrows(IllegalArgumentException.class, () -> new TraceContext(null, null));
        assertThrows(IllegalArgumentException.class, () -> new TraceContext("", null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TraceContext(PARENT, "s".repeat(TraceContext.MAX_TRACESTATE + 1)));
        assertTrue(e.getMessage().contains(String.valueOf(TraceContext.MAX_TRACESTATE + 1)), e::getMessage);
    }
}
