package org.mcpjava.resilience.internal;

import org.junit.jupiter.api.Test;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.HealthPolicy;
import org.mcpjava.resilience.ReconnectPolicy;
import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.resilience.internal.SupervisorFixture.A;
import static org.mcpjava.resilience.internal.SupervisorFixture.B;

/** The supervisor's state machine, backoff and endpoint choice, on a clock moved by hand. */
class ConnectionSupervisorTest {

    @Test
    void backoffFollowsThePolicyStepByStep() {
        SupervisorFixture f = SupervisorFixture.session(A);
        f.dialer.refuseAll = true;
        f.supervisor.start();
        assertEquals(1, f.dialer.attempts.size(), "the first dial is immediate");
        ReconnectPolicy p = ReconnectPolicy.defaults();
        for (int failure = 1; failure <= 12; failure++) {
            Duration step = f.clock.advanceToNextTimer();
            assertEquals(p.baseDelay(failure), step, "delay after failure " + failure);
            assertEquals(failure + 1, f.dialer.attempts.size());
            assertEquals(step, f.dialer.gap(failure));
        }
        // 1 s, 1.5 s, ... 25.6 s, then the 2 minute pause, then 1 s again
        assertEquals(Duration.ofMinutes(2), f.dialer.gap(10));
        assertEquals(Duration.ofSeconds(1), f.dialer.gap(11));
        assertEquals(ClientState.CONNECTING, f.supervisor.state(), "failed attempts do not change the state");
    }

    @Test
    void jitterFromTheInjectedSourceMovesEachStepWithinItsBounds() {
        double[] draws = {0.0, Math.nextDown(1.0), 0.25, 0.75};
        AtomicInteger i = new AtomicInteger();
        SupervisorFixture f = new SupervisorFixture(List.of(A), ReconnectPolicy.defaults(), SupervisorFixture.NO_PROBES,
                false, () -> draws[i.getAndIncrement() % draws.length]);
        f.dialer.refuseAll = true;
        f.supervisor.start();
        ReconnectPolicy p = ReconnectPolicy.defaults();
        for (int failure = 1; failure <= 8; failure++) {
            long base = p.baseDelay(failure).toNanos();
            long step = f.clock.advanceToNextTimer().toNanos();
            double u = draws[(failure - 1) % draws.length];
            assertEquals((long) (base * (1 + 0.2 * (2 * u - 1))), step, "failure " + failure);
            assertTrue(step >= base * 0.8 && step <= base * 1.2, "failure " + failure + ": " + step);
        }
    }

    @Test
    void withSeveralEndpointsARoundTriesEachAtOnceThenBacksOff() {
        SupervisorFixture f = SupervisorFixture.session(A, B);
        f.dialer.refuseAll = true;
        f.supervisor.start();
        assertEquals(List.of(A, B), endpoints(f));
        assertEquals(Duration.ZERO, f.dialer.gap(1));
        assertEquals(Duration.ofSeconds(1), f.clock.advanceToNextTimer());
        assertEquals(List.of(A, B, A, B), endpoints(f));
        assertEquals(Duration.ofMillis(1500), f.clock.advanceToNextTimer());
        assertEquals(6, f.dialer.attempts.size());
    }

    @Test
    void lostConnectionIsDialedAgainAtOnceThenWithBackoffFromTheStart() {
        SupervisorFixture f = SupervisorFixture.session(A);
        f.supervisor.start();
        FakeLink l1 = f.dialer.last().succeed(false, f.health);
        assertSame(l1, f.supervisor.ready());
        assertEquals(List.of(l1), f.up);
        l1.drop();
        assertNull(f.supervisor.ready());
        assertEquals(List.of(l1), f.down);
        assertEquals(2, f.dialer.attempts.size(), "immediate redial");
        assertEquals(A, f.dialer.last().endpoint());
        f.dialer.last().refuse();
        assertEquals(List.of(Duration.ofSeconds(1)), f.clock.pendingDelays());
        f.clock.advanceToNextTimer();
        FakeLink l2 = f.dialer.last().succeed(true, f.health);
        assertSame(l2, f.supervisor.ready());
        assertEquals(List.of(ClientState.CONNECTING, ClientState.CONNECTED, ClientState.RECONNECTING, ClientState.CONNECTED),
                f.stateHistory());
        // a success resets the backoff
        l2.drop();
        f.dialer.last().refuse();
        assertEquals(List.of(Duration.ofSeconds(1)), f.clock.pendingDelays());
    }

    @Test
    void goawayMovesToTheNextEndpointOnceTheOldConnectionClosed() {
        SupervisorFixture f = SupervisorFixture.session(A, B);
        f.supervisor.start();
        FakeLink l1 = f.dialer.last().succeed(true, f.health);
        l1.closesWhenAsked = false;
        f.dialer.last().events().goaway(l1, ErrorCode.NO_ERROR.code(), null);
        assertEquals(ClientState.RECONNECTING, f.supervisor.state());
        assertNull(f.supervisor.ready(), "nothing new goes to a connection that got GOAWAY");
        assertEquals(1, f.dialer.attempts.size(), "a session is resumed only after the old connection closed");
        l1.drop(); // the server finished and closed it
        assertEquals(2, f.dialer.attempts.size());
        assertEquals(B, f.dialer.last().endpoint(), "GOAWAY redirects to the next endpoint");
        assertEquals(Duration.ZERO, f.dialer.gap(1), "no backoff: GOAWAY is not a failure");
    }

    @Test
    void goawayConnectionThatDoesNotCloseIsClosedAfterTheGrace() {
        SupervisorFixture f = SupervisorFixture.session(A, B);
        f.supervisor.start();
        FakeLink l1 = f.dialer.last().succeed(true, f.health);
        l1.closesWhenAsked = false;
        f.dialer.last().events().goaway(l1, ErrorCode.NO_ERROR.code(), null);
        f.clock.advance(Duration.ofSeconds(9));
        assertEquals(0, l1.closeRequests.get());
        l1.closesWhenAsked = true;
        f.clock.advance(Duration.ofSeconds(1));
        assertEquals(1, l1.closeRequests.get());
        assertEquals(B, f.dialer.last().endpoint());
    }

    @Test
    void withOverlapGoawayDialsTheNextEndpointWhileTheOldOneDrains() {
        SupervisorFixture f = new SupervisorFixture(List.of(A, B), ReconnectPolicy.defaults(), SupervisorFixture.NO_PROBES,
                true, () -> 0.5);
        f.supervisor.start();
        FakeLink l1 = f.dialer.last().succeed(false, f.health);
        l1.closesWhenAsked = false;
        f.dialer.last().events().goaway(l1, ErrorCode.NO_ERROR.code(), null);
        assertEquals(2, f.dialer.attempts.size());
        assertEquals(B, f.dialer.last().endpoint());
        FakeLink l2 = f.dialer.last().succeed(false, f.health);
        assertSame(l2, f.supervisor.ready());
        l1.drop(); // the drained connection closing changes nothing
        assertSame(l2, f.supervisor.ready());
        assertEquals(2, f.dialer.attempts.size());
        assertEquals(ClientState.CONNECTED, f.supervisor.state());
    }

    @Test
    void unhealthyConnectionIsReplacedBeforeItFails() {
        HealthPolicy health = HealthPolicy.defaults().checkInterval(Duration.ofSeconds(1))
                .rtoBounds(Duration.ofMillis(100), Duration.ofSeconds(10));
        SupervisorFixture f = new SupervisorFixture(List.of(A, B), ReconnectPolicy.defaults(), health, true, () -> 0.5);
        f.supervisor.start();
        FakeLink l1 = f.dialer.last().succeed(false, health);
        // healthy probes feed the RTT estimate
        f.clock.advance(Duration.ofSeconds(1));
        l1.pings.get(0).complete(Duration.ofMillis(5));
        assertEquals(Duration.ofMillis(5), f.supervisor.health().srtt());
        assertEquals(0, f.supervisor.health().consecutiveFailures());
        // then PONGs stop coming: each probe times out after the (doubling) RTO
        List<Double> scores = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            f.clock.advance(Duration.ofSeconds(1));
            f.clock.advance(f.supervisor.health().rto());
            scores.add(f.supervisor.health().score());
        }
        assertEquals(List.of(0.5, 1.0 / 3, 0.25), scores);
        // below 0.3: a replacement is dialed while the old connection still serves
        assertEquals(2, f.dialer.attempts.size());
        assertEquals(B, f.dialer.last().endpoint());
        assertSame(l1, f.supervisor.ready());
        assertEquals(0, l1.closeRequests.get());
        FakeLink l2 = f.dialer.last().succeed(false, health);
        assertSame(l2, f.supervisor.ready());
        assertEquals(1, l1.closeRequests.get(), "the old connection is closed gracefully once replaced");
        assertEquals(List.of(l1), f.down);
        assertEquals(List.of(ClientState.CONNECTING, ClientState.CONNECTED), f.stateHistory(), "users see no outage");
    }

    @Test
    void aReplacedConnectionIsClosedOnceItsCallsHaveEndedOrAfterTheGrace() {
        for (boolean callsEnd : new boolean[]{true, false}) {
            SupervisorFixture f = new SupervisorFixture(List.of(A, B), ReconnectPolicy.defaults(),
                    SupervisorFixture.NO_PROBES, true, () -> 0.5);
            f.supervisor.start();
            FakeLink l1 = f.dialer.last().succeed(false, f.health);
            l1.inFlight().set(2); // two calls took it
            for (int i = 0; i < 3; i++) {
                l1.health().failure();
            }
            f.supervisor.healthChanged();
            FakeLink l2 = f.dialer.last().succeed(false, f.health);
            assertSame(l2, f.supervisor.ready());
            assertEquals(0, l1.closeRequests.get(), "its calls are still in flight");
            if (callsEnd) {
                l1.inFlight().decrementAndGet();
                f.clock.advance(LinkDrain.CHECK_EVERY);
                assertEquals(0, l1.closeRequests.get());
                l1.inFlight().decrementAndGet();
                f.clock.advance(LinkDrain.CHECK_EVERY);
                assertEquals(1, l1.closeRequests.get(), "closed once its last call ended");
            } else {
                f.clock.advance(Duration.ofSeconds(10).minusNanos(1));
                assertEquals(0, l1.closeRequests.get());
                f.clock.advance(Duration.ofNanos(1));
                assertEquals(1, l1.closeRequests.get(), "closed (gracefully) once the 10 s grace has passed");
            }
            assertEquals(List.of(), f.clock.pendingDelays());
        }
    }

    @Test
    void closeAlsoClosesAndWaitsForTheConnectionItDrains() {
        SupervisorFixture f = new SupervisorFixture(List.of(A, B), ReconnectPolicy.defaults(),
                SupervisorFixture.NO_PROBES, true, () -> 0.5);
        f.supervisor.start();
        FakeLink l1 = f.dialer.last().succeed(false, f.health);
        l1.inFlight().set(1);
        l1.closesWhenAsked = false;
        for (int i = 0; i < 3; i++) {
            l1.health().failure();
        }
        f.supervisor.healthChanged();
        FakeLink l2 = f.dialer.last().succeed(false, f.health);
        CompletableFuture<Void> terminated = f.supervisor.close();
        assertEquals(1, l1.closeRequests.get());
        assertEquals(1, l2.closeRequests.get());
        assertFalse(terminated.isDone(), "waits for the drained connection too");
        l1.drop();
        assertTrue(terminated.isDone());
        assertEquals(List.of(), f.clock.pendingDelays());
    }

    @Test
    void unhealthySessionConnectionIsClosedThenResumedElsewhere() {
        HealthPolicy health = HealthPolicy.defaults().checkInterval(Duration.ofSeconds(1))
                .rtoBounds(Duration.ofMillis(100), Duration.ofSeconds(10));
        SupervisorFixture f = new SupervisorFixture(List.of(A, B), ReconnectPolicy.defaults(), health, false, () -> 0.5);
        f.supervisor.start();
        FakeLink l1 = f.dialer.last().succeed(true, health);
        l1.closesWhenAsked = false;
        for (int i = 0; i < 3; i++) {
            f.clock.advance(Duration.ofSeconds(1));
            f.clock.advance(f.supervisor.health().rto());
        }
        assertNull(f.supervisor.ready());
        assertEquals(ClientState.RECONNECTING, f.supervisor.state());
        assertEquals(1, l1.closeRequests.get());
        assertEquals(1, f.dialer.attempts.size(), "no second connection on the same session");
        l1.drop();
        assertEquals(B, f.dialer.last().endpoint());
    }

    @Test
    void closeStopsEverythingAndClosesALateConnection() {
        SupervisorFixture f = SupervisorFixture.session(A);
        f.dialer.refuseAll = true;
        f.supervisor.start();
        f.supervisor.close();
        assertEquals(ClientState.CLOSED, f.supervisor.state());
        f.clock.advance(Duration.ofMinutes(10));
        assertEquals(1, f.dialer.attempts.size(), "no dial after close");

        SupervisorFixture g = SupervisorFixture.session(A);
        g.supervisor.start();
        g.supervisor.close();
        FakeLink late = g.dialer.last().succeed(false, g.health);
        assertEquals(1, late.closeRequests.get());
        assertTrue(g.up.isEmpty());
        assertEquals(List.of(ClientState.CONNECTING, ClientState.CLOSED), g.stateHistory());
    }

    private static List<Endpoint> endpoints(SupervisorFixture f) {
        return f.dialer.attempts.stream().map(a -> a.endpoint()).toList();
    }
}
