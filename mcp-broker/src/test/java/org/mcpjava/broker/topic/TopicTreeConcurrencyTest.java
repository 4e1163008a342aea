package org.mcpjava.broker.topic;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke tests of {@link TopicTree} under concurrency: readers matching while a writer churns
 * subscriptions never fail, always see the stable subscriptions, and the final state is exact;
 * concurrent picks keep a share group's round robin exact.
 */
class TopicTreeConcurrencyTest {
    private static final int READERS = 4;

    private final ExecutorService pool = Executors.newFixedThreadPool(READERS + 1);

    @AfterEach
    void shutdown() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void readersMatchWhileAWriterChurns() throws Exception {
        TopicTree<String> tree = new TopicTree<>();
        tree.subscribe(Filter.parse("a/+"), "stable", 1);
        tree.subscribe(Filter.parse("$share/g/a/b"), "m1", 1);
        tree.subscribe(Filter.parse("$share/g/a/b"), "m2", 1);
        String[] churn = {"a/b", "a/+", "a/#", "#", "+/b", "a/b/c", "b", "$share/g/a/b", "$share/h/a/#"};

        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger matches = new AtomicInteger();
        List<Future<?>> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            readers.add(pool.submit((Callable<Void>) () -> {
                start.await();
                do {
                    Map<String, Integer> plain = new HashMap<>();
                    int[] gPicks = {0};
                    tree.match("a/b", s -> !s.equals("m1"), (s, qos) -> {
                        if (s.startsWith("m") || s.startsWith("g")) {
                            gPicks[0]++;
                        } else if (!s.startsWith("h")) {
                            plain.merge(s, 1, Integer::sum);
                        }
                    });
                    assertEquals(1, plain.get("stable"), "stable subscriber missing or repeated");
                    plain.values().forEach(n -> assertEquals(1, n, plain::toString));
                    assertEquals(1, gPicks[0], "group g picks");
                    matches.incrementAndGet();
                } while (!done.get());
                return null;
            }));
        }
        Future<?> writer = pool.submit((Callable<Void>) () -> {
            start.await();
            try {
                for (int i = 0; i < 20_000; i++) {
                    String filter = churn[i % churn.length];
                    Filter f = Filter.parse(filter);
                    String who = (f.isShared() ? (filter.contains("/h/") ? "h" : "g") : "p") + (i % 7);
                    tree.subscribe(f, who, i % 3);
                    if (i % 5 == 0) {
                        tree.removeAll(who);
                    } else if (i % 2 == 0) {
                        tree.unsubscribe(f, who);
                    }
                }
                for (int i = 0; i < 7; i++) {
                    tree.removeAll("p" + i);
                    tree.removeAll("g" + i);
                    tree.removeAll("h" + i);
                }
                tree.subscribe(Filter.parse("a/#"), "final", 2);
            } finally {
                done.set(true);
            }
            return null;
        });
        start.countDown();
        writer.get(60, TimeUnit.SECONDS);
        for (Future<?> reader : readers) {
            reader.get(60, TimeUnit.SECONDS);
        }
        assertTrue(matches.get() >= READERS);

        assertEquals(4, tree.size());
        Map<String, Integer> seen = new HashMap<>();
        tree.match("a/b", (s, qos) -> seen.put(s, qos));
        assertEquals(3, seen.size(), seen::toString);
        assertEquals(1, seen.get("stable"));
        assertEquals(2, seen.get("final"));
        assertTrue(seen.containsKey("m1") || seen.containsKey("m2"), seen::toString);
    }

    @Test
    void concurrentPicksKeepTheRoundRobinExact() throws Exception {
        TopicTree<String> tree = new TopicTree<>();
        for (String m : List.of("m1", "m2", "m3")) {
            tree.subscribe(Filter.parse("$share/g/t/#"), m, 1);
        }
        int perThread = 30_000;
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            futures.add(pool.submit((Callable<Void>) () -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    tree.match("t/x", (s, qos) -> counts.computeIfAbsent(s, k -> new AtomicInteger()).incrementAndGet());
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        int each = READERS * perThread / 3;
        for (String m : List.of("m1", "m2", "m3")) {
            assertEquals(each, counts.get(m).get(), m);
        }
    }
}
