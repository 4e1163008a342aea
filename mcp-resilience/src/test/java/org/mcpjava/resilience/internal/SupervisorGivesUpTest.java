package org.mcpjava.resilience.internal;

import org.junit.jupiter.api.Test;
import org.mcpjava.core.McpException;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.ReconnectPolicy;
import org.mcpjava.resilience.StateChange;
import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.resilience.internal.SupervisorFixture.A;
import static org.mcpjava.resilience.internal.SupervisorFixture.B;

/**
 * Answers that dialing again cannot change: a terminal refusal takes its endpoint out for good
 * (and the supervisor stops once none is left); GOAWAY(SESSION_TAKEN_OVER) stops it at once.
 * Transient refusals are still retried with backoff. On a clock moved by hand.
 */
class SupervisorGivesUpTest {

    @Test
    void aTerminalRefusalFromTheOnlyEndpointStopsAfterOneDial() {
        SupervisorFixture f = SupervisorFixture.session(A);
        f.supervisor.start();
        f.dialer.last().refuse(ErrorCode.UNAUTHENTICATED);

        assertEquals(ClientState.CLOSED, f.supervisor.state());
        assertEquals(List.of(), f.clock.pendingDelays(), "no retry is scheduled");
        StateChange last = f.changes.get(f.changes.size() - 1);
        assertEquals(A, last.endpoint());
        assertEquals(ErrorCode.UNAUTHENTICATED.code(), ((McpException) last.cause()).code());
        assertEquals(List.of(ErrorCode.UNAUTHENTICATED.code()), f.gaveUp.stream().map(McpException::code).toList());
        assertTrue(f.supervisor.close().isDone(), "nothing left to close");
        f.clock.advance(Duration.ofHours(1));
        assertEquals(1, f.dialer.attempts.size());
        assertEquals(List.of(ClientState.CONNECTING, ClientState.CLOSED), f.stateHistory());
    }

    @Test
    void aTerminalRefusalTakesOnlyThatEndpointOutOfTheRotation() {
        SupervisorFixture f = SupervisorFixture.session(A, B);
        f.supervisor.start();
        f.dialer.last().refuse(ErrorCode.PERMISSION_DENIED);
        assertEquals(B, f.dialer.last().endpoint(), "the next endpoint at once");
        assertEquals(Duration.ZERO, f.dialer.gap(1));

        // B fails as servers do: the round (now B alone) is over, backoff applies, and A is left out.
        f.dialer.last().refuse();
        assertEquals(Duration.ofSeconds(1), f.clock.advanceToNextTimer());
        assertEquals(B, f.dialer.last().endpoint());
        f.dialer.last().refuse();
        assertEquals(Duration.ofMillis(1500), f.clock.advanceToNextTimer());
        assertEquals(B, f.dialer.last().endpoint());
        FakeLink link = f.dialer.last().succeed(true, f.health);
        assertSame(link, f.supervisor.ready());

        // A loss goes back to B only; B refusing for good too ends it.
        link.drop();
        assertEquals(B, f.dialer.last().endpoint());
        f.dialer.last().refuse(ErrorCode.UNAUTHENTICATED);
        assertEquals(ClientState.CLOSED, f.supervisor.state());
        assertEquals(5, f.dialer.attempts.size());
        assertEquals(List.of(), f.clock.pendingDelays());
        assertEquals(List.of(ErrorCode.UNAUTHENTICATED.code()), f.gaveUp.stream().map(McpException::code).toList());
    }

    @Test
    void everyEndpointRefusingForGoodStopsWithinOneRound() {
        SupervisorFixture f = SupervisorFixture.session(A, B);
        f.supervisor.start();
        f.dialer.last().refuse(ErrorCode.UNSUPPORTED_VERSION);
        f.dialer.last().refuse(ErrorCode.UNAUTHENTICATED);
        assertEquals(2, f.dialer.attempts.size());
        assertEquals(ClientState.CLOSED, f.supervisor.state());
        assertEquals(B, f.changes.get(f.changes.size() - 1).endpoint());
        assertEquals(ErrorCode.UNAUTHENTICATED.code(), f.gaveUp.get(0).code(), "the last refusal is the cause");
    }

    @Test
    void aTransientRefusalIsRetriedWithBackoff() {
        SupervisorFixture f = SupervisorFixture.session(A);
        f.supervisor.start();
        f.dialer.last().refuse(ErrorCode.OVERLOADED);
        assertEquals(List.of(Duration.ofSeconds(1)), f.clock.pendingDelays());
        f.clock.advanceToNextTimer();
        f.dialer.last().refuse(ErrorCode.QUOTA_EXCEEDED);
        assertEquals(List.of(Duration.ofMillis(1500)), f.clock.pendingDelays());
        f.clock.advanceToNextTimer();
        f.dialer.last().succeed(false, f.health);
        assertEquals(ClientState.CONNECTED, f.supervisor.state());
        assertTrue(f.gaveUp.isEmpty());
    }

    @Test
    void withNoTerminalCodesEveryRefusalIsRetried() {
        SupervisorFixture f = new SupervisorFixture(List.of(A), ReconnectPolicy.defaults(), SupervisorFixture.NO_PROBES,
                false, () -> 0.5, Set.of());
        f.supervisor.start();
        f.dialer.last().refuse(ErrorCode.UNAUTHENTICATED);
        assertEquals(ClientState.CONNECTING, f.supervisor.state());
        assertEquals(List.of(Duration.ofSeconds(1)), f.clock.pendingDelays());
        f.clock.advanceToNextTimer();
        assertEquals(2, f.dialer.attempts.size());
    }

    @Test
    void sessionTakenOverStopsWithoutResuming() {
        SupervisorFixture f = SupervisorFixture.session(A, B);
        f.supervisor.start();
        FakeLink l1 = f.dialer.last().succeed(true, f.health);
        l1.closesWhenAsked = false;
        f.dialer.last().events().goaway(l1, ErrorCode.SESSION_TAKEN_OVER.code(), "session resumed by another connection");

        assertEquals(ClientState.CLOSED, f.supervisor.state());
        assertNull(f.supervisor.ready());
        assertEquals(List.of(l1), f.down);
        assertEquals(1, l1.closeRequests.get(), "the old connection is closed from this side too");
        StateChange last = f.changes.get(f.changes.size() - 1);
        assertEquals(A, last.endpoint());
        assertEquals(ErrorCode.SESSION_TAKEN_OVER.code(), ((McpException) last.cause()).code());
        assertEquals(ErrorCode.SESSION_TAKEN_OVER.code(), f.gaveUp.get(0).code());
        l1.drop();
        f.clock.advance(Duration.ofHours(1));
        assertEquals(1, f.dialer.attempts.size(), "the session is not resumed again, anywhere");
        assertEquals(List.of(ClientState.CONNECTING, ClientState.CONNECTED, ClientState.CLOSED), f.stateHistory());
    }

    @Test
    void sessionTakenOverWhileDrainingAfterAPlainGoawayStopsToo() {
        SupervisorFixture f = SupervisorFixture.session(A, B);
        f.supervisor.start();
        FakeLink l1 = f.dialer.last().succeed(true, f.health);
        l1.closesWhenAsked = false;
        LinkEvents events = f.dialer.last().events();
        events.goaway(l1, ErrorCode.NO_ERROR.code(), "shutting down");
        assertEquals(ClientState.RECONNECTING, f.supervisor.state());
        events.goaway(l1, ErrorCode.SESSION_TAKEN_OVER.code(), null);
        assertEquals(ClientState.CLOSED, f.supervisor.state());
        l1.drop();
        assertEquals(1, f.dialer.attempts.size());
    }

    @Test
    void aPlainGoawayStillMovesOn() {
        SupervisorFixture f = SupervisorFixture.session(A, B);
        f.supervisor.start();
        FakeLink l1 = f.dialer.last().succeed(true, f.health);
        f.dialer.last().events().goaway(l1, ErrorCode.UNAVAILABLE.code(), "draining");
        assertEquals(ClientState.RECONNECTING, f.supervisor.state());
        l1.drop();
        assertEquals(B, f.dialer.last().endpoint());
        assertTrue(f.gaveUp.isEmpty());
    }
}
