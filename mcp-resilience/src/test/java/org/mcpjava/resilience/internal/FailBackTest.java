package org.mcpjava.resilience.internal;

import org.junit.jupiter.api.Test;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.ReconnectPolicy;
import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.resilience.internal.SupervisorFixture.A;
import static org.mcpjava.resilience.internal.SupervisorFixture.B;
import static org.mcpjava.resilience.internal.SupervisorFixture.NO_PROBES;
import static org.mcpjava.resilience.internal.SupervisorFixture.TERMINAL;

/**
 * A pool slot that failed over probes its preferred endpoint on the reconnect backoff, one dial at
 * a time, moves back once a connection is up, and drains the connection it leaves. On a clock moved
 * by hand. The slot prefers B and fails over to A.
 */
class FailBackTest {
    private static final ReconnectPolicy POLICY = ReconnectPolicy.defaults();

    /** A slot preferring B, connected to A after B refused; returns the link to A. */
    private static FakeLink failedOver(SupervisorFixture f) {
        f.supervisor.start();
        assertEquals(B, f.dialer.last().endpoint());
        f.dialer.last().refuse();
        assertEquals(A, f.dialer.last().endpoint(), "fails over at once");
        return f.dialer.last().succeed(false, NO_PROBES);
    }

    @Test
    void probesThePreferredEndpointOnTheReconnectBackoffOneDialAtATime() {
        SupervisorFixture f = SupervisorFixture.poolSlot(B, A);
        FakeLink onA = failedOver(f);
        for (int probe = 1; probe <= 12; probe++) {
            int before = f.dialer.attempts.size();
            Duration step = f.clock.advanceToNextTimer();
            assertEquals(POLICY.baseDelay(probe), step, "delay before probe " + probe);
            assertEquals(before + 1, f.dialer.attempts.size());
            assertEquals(B, f.dialer.last().endpoint());
            // while the probe is in flight nothing else is scheduled, and time passing dials nothing
            assertEquals(List.of(), f.clock.pendingDelays());
            f.clock.advance(Duration.ofMinutes(5));
            assertEquals(before + 1, f.dialer.attempts.size());
            f.dialer.last().refuse();
            assertEquals(probe, f.supervisor.failBackFailures());
        }
        // 1 s, 1.5 s, ... 25.6 s, the 2 minute pause, then 1 s again: the reconnect policy's steps
        assertEquals(Duration.ofMinutes(2), POLICY.baseDelay(10));
        assertEquals(1, f.dialer.maxInFlight.get(), "never two dials at once");
        assertSame(onA, f.supervisor.ready(), "failed probes leave the working connection alone");
        assertEquals(0, onA.closeRequests.get());
        assertEquals(List.of(ClientState.CONNECTING, ClientState.CONNECTED), f.stateHistory());

        f.clock.advanceToNextTimer();
        FakeLink onB = f.dialer.last().succeed(false, NO_PROBES);
        assertSame(onB, f.supervisor.ready(), "new calls go to the preferred endpoint");
        assertEquals(1, onA.closeRequests.get(), "the old connection, idle, is closed at once");
        assertEquals(List.of(onA), f.down);
        assertEquals(List.of(onA, onB), f.up);
        assertEquals(List.of(ClientState.CONNECTING, ClientState.CONNECTED), f.stateHistory(), "users see no outage");
        assertEquals(List.of(), f.clock.pendingDelays(), "nothing more to probe");
        assertEquals(0, f.supervisor.failBackFailures(), "the backoff starts over");
        assertEquals(List.of(), f.clock.failures());
    }

    @Test
    void jitterFromTheInjectedSourceSpreadsTheProbes() {
        double[] draws = {0.0, Math.nextDown(1.0), 0.25, 0.75};
        AtomicInteger i = new AtomicInteger();
        SupervisorFixture f = new SupervisorFixture(List.of(B, A), POLICY, NO_PROBES, true, true,
                () -> draws[i.getAndIncrement() % draws.length], TERMINAL);
        failedOver(f);
        for (int probe = 1; probe <= 8; probe++) {
            long base = POLICY.baseDelay(probe).toNanos();
            long step = f.clock.advanceToNextTimer().toNanos();
            double u = draws[(probe - 1) % draws.length];
            assertEquals((long) (base * (1 + 0.2 * (2 * u - 1))), step, "probe " + probe);
            assertEquals(Duration.ofNanos(step), f.supervisor.lastFailBackDelay());
            f.dialer.last().refuse();
        }
    }

    @Test
    void callsInFlightFinishOnTheOldConnectionBeforeItCloses() {
        SupervisorFixture f = SupervisorFixture.poolSlot(B, A);
        FakeLink onA = failedOver(f);
        onA.inFlight().set(2);
        f.clock.advanceToNextTimer();
        FakeLink onB = f.dialer.last().succeed(false, NO_PROBES);
        assertSame(onB, f.supervisor.ready());
        assertEquals(0, onA.closeRequests.get(), "two calls still in flight there");
        f.clock.advance(LinkDrain.CHECK_EVERY.multipliedBy(3));
        assertEquals(0, onA.closeRequests.get());
        onA.inFlight().decrementAndGet();
        f.clock.advance(LinkDrain.CHECK_EVERY);
        assertEquals(0, onA.closeRequests.get());
        onA.inFlight().decrementAndGet();
        f.clock.advance(LinkDrain.CHECK_EVERY);
        assertEquals(1, onA.closeRequests.get(), "closed once its last call ended");
        assertEquals(List.of(), f.clock.pendingDelays());
    }

    @Test
    void aConnectionThatDoesNotDrainIsClosedAfterTheGrace() {
        SupervisorFixture f = SupervisorFixture.poolSlot(B, A);
        FakeLink onA = failedOver(f);
        onA.inFlight().set(1);
        f.clock.advanceToNextTimer();
        f.dialer.last().succeed(false, NO_PROBES);
        f.clock.advance(Duration.ofSeconds(10).minusNanos(1));
        assertEquals(0, onA.closeRequests.get());
        f.clock.advance(Duration.ofNanos(1));
        assertEquals(1, onA.closeRequests.get(), "closed (gracefully) when the 10 s grace has passed");
        assertEquals(List.of(), f.clock.pendingDelays());
    }

    @Test
    void closingTheSlotClosesTheConnectionItDrains() {
        SupervisorFixture f = SupervisorFixture.poolSlot(B, A);
        FakeLink onA = failedOver(f);
        onA.inFlight().set(1);
        onA.closesWhenAsked = false;
        f.clock.advanceToNextTimer();
        FakeLink onB = f.dialer.last().succeed(false, NO_PROBES);
        CompletableFuture<Void> terminated = f.supervisor.close();
        assertEquals(1, onA.closeRequests.get());
        assertEquals(1, onB.closeRequests.get());
        assertFalse(terminated.isDone(), "waits for the drained connection too");
        onA.drop();
        assertTrue(terminated.isDone());
        assertEquals(List.of(), f.clock.pendingDelays());
    }

    @Test
    void aTerminalRefusalOfTheProbeKeepsThePreferredEndpointOutForGood() {
        SupervisorFixture f = SupervisorFixture.poolSlot(B, A);
        FakeLink onA = failedOver(f);
        f.clock.advanceToNextTimer();
        f.dialer.last().refuse(ErrorCode.UNAUTHENTICATED);
        assertSame(onA, f.supervisor.ready());
        assertEquals(List.of(), f.clock.pendingDelays(), "no more probes");
        f.clock.advance(Duration.ofHours(1));
        assertEquals(3, f.dialer.attempts.size());
        // a loss redials A only: B is out of the rotation
        onA.drop();
        assertEquals(A, f.dialer.last().endpoint());
        f.dialer.last().refuse();
        f.clock.advanceToNextTimer();
        assertEquals(A, f.dialer.last().endpoint());
        FakeLink again = f.dialer.last().succeed(false, NO_PROBES);
        assertSame(again, f.supervisor.ready());
        assertEquals(List.of(), f.clock.pendingDelays(), "on its (new) preferred endpoint: nothing to probe");
    }

    @Test
    void aConnectionLostWhileTheProbeIsInFlightIsReplacedByTheProbe() {
        SupervisorFixture f = SupervisorFixture.poolSlot(B, A);
        FakeLink onA = failedOver(f);
        f.clock.advanceToNextTimer();
        onA.drop();
        assertEquals(3, f.dialer.attempts.size(), "the probe is the dial in flight: no second one");
        assertEquals(ClientState.RECONNECTING, f.supervisor.state());
        FakeLink onB = f.dialer.last().succeed(false, NO_PROBES);
        assertSame(onB, f.supervisor.ready());
        assertEquals(List.of(ClientState.CONNECTING, ClientState.CONNECTED, ClientState.RECONNECTING,
                ClientState.CONNECTED), f.stateHistory());
        assertEquals(List.of(), f.clock.pendingDelays());
    }

    @Test
    void aConnectionLostWhileAProbeFailsIsRedialedAsUsual() {
        SupervisorFixture f = SupervisorFixture.poolSlot(B, A);
        FakeLink onA = failedOver(f);
        f.clock.advanceToNextTimer();
        onA.drop();
        f.dialer.last().refuse();
        assertEquals(4, f.dialer.attempts.size(), "the lost endpoint at once");
        assertEquals(A, f.dialer.last().endpoint());
        assertEquals(Duration.ZERO, f.dialer.gap(3));
        FakeLink again = f.dialer.last().succeed(false, NO_PROBES);
        assertSame(again, f.supervisor.ready());
        assertEquals(List.of(POLICY.baseDelay(2)), f.clock.pendingDelays(), "probing goes on where it was");
    }

    @Test
    void aSlotOnItsPreferredEndpointDoesNotProbe() {
        SupervisorFixture f = SupervisorFixture.poolSlot(A, B);
        f.supervisor.start();
        f.dialer.last().succeed(false, NO_PROBES);
        assertEquals(List.of(), f.clock.pendingDelays());
    }

    @Test
    void withFailBackOffASlotStaysWhereItIs() {
        SupervisorFixture f = new SupervisorFixture(List.of(B, A), POLICY, NO_PROBES, true, false, () -> 0.5, TERMINAL);
        FakeLink onA = failedOver(f);
        assertEquals(List.of(), f.clock.pendingDelays());
        f.clock.advance(Duration.ofHours(1));
        assertEquals(2, f.dialer.attempts.size());
        assertSame(onA, f.supervisor.ready());
    }

    @Test
    void failBackNeedsOverlap() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SupervisorFixture(List.of(B, A), POLICY, NO_PROBES, false, true, () -> 0.5, TERMINAL));
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
    }
}
