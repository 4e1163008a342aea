package org.mcpjava.transport.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The housekeeping period follows the negotiated KEEPALIVE_MS, not only this side's own settings
 * (found by the conformance checker: a client asking for 300 ms got no PING before its own
 * 1.5 x deadline from a server ticking once a second).
 */
class HousekeepingPeriodTest {
    @Test
    void aQuarterOfTheNegotiatedKeepaliveWhenThatIsShorter() {
        assertEquals(75, McpConnection.housekeepingPeriodFor(300, 1000));
        assertEquals(250, McpConnection.housekeepingPeriodFor(1000, 1000));
        assertEquals(100, McpConnection.housekeepingPeriodFor(400, 1000));
    }

    @Test
    void neverLongerThanConfigured() {
        assertEquals(1000, McpConnection.housekeepingPeriodFor(30_000, 1000));
        assertEquals(10, McpConnection.housekeepingPeriodFor(10_000, 10));
    }

    @Test
    void notBelowTenMillisecondsUnlessConfiguredSo() {
        assertEquals(10, McpConnection.housekeepingPeriodFor(1, 1000));
        assertEquals(10, McpConnection.housekeepingPeriodFor(20, 1000));
        assertEquals(1, McpConnection.housekeepingPeriodFor(2, 1));
    }

    @Test
    void keepaliveOffKeepsTheConfiguredPeriod() {
        assertEquals(1000, McpConnection.housekeepingPeriodFor(0, 1000));
    }
}
