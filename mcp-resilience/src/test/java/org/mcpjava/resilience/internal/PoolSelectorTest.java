package org.mcpjava.resilience.internal;

import org.junit.jupiter.api.Test;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.HealthPolicy;
import org.mcpjava.resilience.ReconnectPolicy;
import org.mcpjava.resilience.SelectionStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Selection over real supervisors whose connections are fakes. */
class PoolSelectorTest {
    private static final HealthPolicy HEALTH = SupervisorFixture.NO_PROBES;

    private final List<SupervisorFixture> fixtures = new ArrayList<>();
    private final List<FakeLink> links = new ArrayList<>();

    private PoolSelector pool(SelectionStrategy strategy, int bound, int size) {
        List<ConnectionSupervisor> slots = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            SupervisorFixture f = new SupervisorFixture(List.of(new Endpoint("s" + i, 1)), ReconnectPolicy.defaults(),
                    HEALTH, true, () -> 0.5);
            f.supervisor.start();
            links.add(f.dialer.last().succeed(false, HEALTH));
            fixtures.add(f);
            slots.add(f.supervisor);
        }
        return new PoolSelector(slots, strategy, bound);
    }

    @Test
    void leastInFlightPicksTheLeastLoaded() {
        PoolSelector p = pool(SelectionStrategy.LEAST_IN_FLIGHT, 10, 3);
        links.get(0).inFlight().set(5);
        links.get(1).inFlight().set(2);
        links.get(2).inFlight().set(7);
        assertSame(links.get(1), p.acquire());
        assertEquals(3, links.get(1).inFlight().get());
        links.get(1).inFlight().set(9);
        assertSame(links.get(0), p.acquire());
    }

    @Test
    void roundRobinTakesEachInTurn() {
        PoolSelector p = pool(SelectionStrategy.ROUND_ROBIN, 10, 3);
        List<Link> picked = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picked.add(p.acquire());
        }
        for (FakeLink l : links) {
            assertEquals(2, picked.stream().filter(x -> x == l).count());
        }
    }

    @Test
    void theBoundPerConnectionHolds() {
        PoolSelector p = pool(SelectionStrategy.LEAST_IN_FLIGHT, 2, 2);
        for (int i = 0; i < 4; i++) {
            assertTrue(p.acquire() != null);
        }
        assertNull(p.acquire());
        assertTrue(p.anyReady());
        links.get(1).inFlight().decrementAndGet();
        assertSame(links.get(1), p.acquire());
    }

    @Test
    void unhealthyConnectionsAreUsedOnlyWhenNoHealthyOneHasRoom() {
        PoolSelector p = pool(SelectionStrategy.LEAST_IN_FLIGHT, 2, 2);
        for (int i = 0; i < 3; i++) {
            links.get(0).health().failure();
        }
        for (int i = 0; i < 2; i++) {
            assertSame(links.get(1), p.acquire());
        }
        assertSame(links.get(0), p.acquire(), "degraded beats nothing");
    }

    @Test
    void slotsWithoutAConnectionAreSkipped() {
        PoolSelector p = pool(SelectionStrategy.ROUND_ROBIN, 10, 2);
        links.get(0).drop();
        fixtures.get(0).dialer.last().refuse();
        for (int i = 0; i < 4; i++) {
            assertSame(links.get(1), p.acquire());
        }
        links.get(1).drop();
        assertNull(p.acquire());
        assertTrue(!p.anyReady());
    }

    /**
     * A slot replaces its connection (bad health here) after the selector chose the old one but
     * before it counted the call there: the slot, seeing no call on the old connection, closes it
     * at once, so the selector must notice the switch, give the count back and choose again.
     */
    @Test
    void aSwitchBetweenChoosingAndCountingSendsTheCallToTheNewConnection() {
        SupervisorFixture f = new SupervisorFixture(List.of(SupervisorFixture.A, SupervisorFixture.B),
                ReconnectPolicy.defaults(), HEALTH, true, () -> 0.5);
        f.supervisor.start();
        FakeLink[] replacement = new FakeLink[1];
        SwitchingLink old = f.dialer.last().succeed(new SwitchingLink(SupervisorFixture.A, () -> {
            FakeLink l = (FakeLink) f.supervisor.ready();
            for (int i = 0; i < 3; i++) {
                l.health().failure();
            }
            f.supervisor.healthChanged(); // dials the replacement
            replacement[0] = f.dialer.last().succeed(false, HEALTH);
        }));
        PoolSelector p = new PoolSelector(List.of(f.supervisor), SelectionStrategy.LEAST_IN_FLIGHT, 10);

        Link got = p.acquire();

        assertEquals(1, old.closeRequests.get(), "the slot closed the old connection: nothing counted on it");
        assertSame(replacement[0], got, "the call goes to the new connection");
        assertEquals(1, replacement[0].inFlight().get());
        assertEquals(0, old.inFlight().get(), "the count on the old one was given back");
        assertEquals(List.of(), f.clock.failures());
    }

    /** A link that runs {@code hook} when the selector asks for its counter the second time: after choosing, before counting. */
    private static final class SwitchingLink extends FakeLink {
        private Runnable hook;
        private int asked;

        SwitchingLink(Endpoint endpoint, Runnable hook) {
            super(endpoint, false, HEALTH);
            this.hook = hook;
        }

        @Override
        public AtomicInteger inFlight() {
            if (++asked == 2 && hook != null) {
                Runnable h = hook;
                hook = null;
                h.run();
            }
            return super.inFlight();
        }
    }
}
