package org.mcpjava.resilience.internal;

import org.junit.jupiter.api.Test;
import org.mcpjava.resilience.HealthPolicy;
import org.mcpjava.resilience.ReconnectPolicy;
import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mcpjava.resilience.internal.SupervisorFixture.A;
import static org.mcpjava.resilience.internal.SupervisorFixture.B;

/**
 * Whatever asks for a connection (fail-back probes included), and from whatever thread, at most one
 * dial is in flight.
 */
class NoConcurrentDialsTest {

    @Test
    void everyTriggerWhileDialingIsAbsorbed() {
        HealthPolicy health = HealthPolicy.defaults().checkInterval(Duration.ofSeconds(1))
                .rtoBounds(Duration.ofMillis(100), Duration.ofSeconds(10));
        SupervisorFixture f = new SupervisorFixture(List.of(A, B), ReconnectPolicy.defaults(), health, true, () -> 0.5);
        f.supervisor.start();
        f.supervisor.start();
        f.supervisor.healthChanged();
        assertEquals(1, f.dialer.attempts.size());
        FakeLink l1 = f.dialer.last().succeed(false, health);
        // GOAWAY starts a replacement dial; a drop, another GOAWAY and bad health arrive meanwhile
        l1.closesWhenAsked = false;
        f.dialer.last().events().goaway(l1, ErrorCode.NO_ERROR.code(), null);
        assertEquals(2, f.dialer.attempts.size());
        f.dialer.attempts.get(0).events().goaway(l1, ErrorCode.NO_ERROR.code(), null);
        l1.drop();
        f.supervisor.healthChanged();
        f.clock.advance(Duration.ofSeconds(5));
        assertEquals(2, f.dialer.attempts.size());
        // the dial fails: the next endpoint at once, then one timer; nothing else dials
        f.dialer.last().refuse();
        assertEquals(3, f.dialer.attempts.size());
        f.dialer.last().refuse();
        assertEquals(1, f.clock.pendingDelays().size());
        f.supervisor.start();
        f.supervisor.healthChanged();
        assertEquals(3, f.dialer.attempts.size());
        f.clock.advanceToNextTimer();
        assertEquals(4, f.dialer.attempts.size());
        assertEquals(1, f.dialer.maxInFlight.get());
    }

    @Test
    void underConcurrentEventsFromManyThreadsOneDialAtATime() throws Exception {
        HealthPolicy health = HealthPolicy.defaults().checkInterval(Duration.ofMillis(50))
                .rtoBounds(Duration.ofMillis(10), Duration.ofSeconds(1));
        ReconnectPolicy policy = ReconnectPolicy.defaults().initialDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(100));
        // a session connection; a pool slot; a pool slot that fails back (it prefers B, so it probes B whenever on A)
        for (boolean[] mode : new boolean[][]{{false, false}, {true, false}, {true, true}}) {
            boolean overlap = mode[0];
            boolean failBack = mode[1];
            SupervisorFixture f = new SupervisorFixture(failBack ? List.of(B, A) : List.of(A, B), policy, health, overlap,
                    failBack, () -> 0.5, SupervisorFixture.TERMINAL);
            ExecutorService io = Executors.newFixedThreadPool(4);
            SplittableRandom random = new SplittableRandom(7);
            List<FakeLink> links = new ArrayList<>();
            try {
                f.supervisor.start();
                int settled = 0;
                for (int step = 0; step < 2000; step++) {
                    List<CompletableFuture<Void>> running = new ArrayList<>();
                    // complete the dials made so far from I/O threads, some failing ...
                    while (settled < f.dialer.attempts.size()) {
                        FakeDialer.Attempt a = f.dialer.attempts.get(settled++);
                        boolean ok = random.nextInt(3) > 0;
                        boolean resumed = random.nextBoolean();
                        running.add(CompletableFuture.runAsync(() -> {
                            if (ok) {
                                FakeLink l = a.succeed(resumed, health);
                                synchronized (links) {
                                    links.add(l);
                                }
                            } else {
                                a.refuse();
                            }
                        }, io));
                    }
                    // ... while other threads make trouble on live connections and the clock moves
                    FakeLink victim = null;
                    synchronized (links) {
                        if (!links.isEmpty()) {
                            victim = links.get(random.nextInt(links.size()));
                        }
                    }
                    if (victim != null) {
                        FakeLink v = victim;
                        Runnable trouble = switch (random.nextInt(4)) {
                            case 0 -> v::drop;
                            case 1 -> () -> f.dialer.attempts.get(0).events().goaway(v, ErrorCode.NO_ERROR.code(), null);
                            case 2 -> f.supervisor::healthChanged;
                            default -> () -> v.pings.forEach(p -> p.complete(Duration.ofMillis(1)));
                        };
                        running.add(CompletableFuture.runAsync(trouble, io));
                    }
                    running.add(CompletableFuture.runAsync(() -> f.clock.advance(Duration.ofMillis(5)), io));
                    CompletableFuture.allOf(running.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
                }
            } finally {
                io.shutdown();
                assertTrue(io.awaitTermination(10, TimeUnit.SECONDS));
            }
            assertEquals(List.of(), f.clock.failures());
            assertTrue(f.dialer.attempts.size() > 50, "dials: " + f.dialer.attempts.size());
            assertEquals(1, f.dialer.maxInFlight.get(), "overlap " + overlap + ", fail-back " + failBack);
            if (failBack) {
                assertNotNull(f.supervisor.lastFailBackDelay(), "probes were scheduled");
            }
        }
    }
}
