package org.mcpjava.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.SessionStore;
import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.core.TraceContext;

/**
 * The behaviour every {@link SessionStore} shares, written against the in-memory store's semantics.
 * A subclass supplies the store and says what a server restart means for it: every assertion is made
 * on what {@link #sessions()} and {@link #retained()} load, before and after that restart, so for a
 * durable store each operation is checked to round-trip through close and reopen.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class SessionStoreContract {
    /** A new, empty store. */
    protected abstract SessionStore newStore();

    /**
     * The store as the next server start would see it: for a durable store, {@code store} closed and
     * the same file opened again; for a volatile one, {@code store} itself.
     */
    protected abstract SessionStore restart(SessionStore store);

    protected SessionStore store;

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** What the store loads now and after a restart, asserted equal; the latter. */
    protected Map<String, Snap.Session> sessions() {
        Map<String, Snap.Session> live = Snap.sessions(store.load());
        store = restart(store);
        Map<String, Snap.Session> after = Snap.sessions(store.load());
        assertEquals(live, after, "sessions differ across a restart");
        return after;
    }

    /** What the store's retained messages load now and after a restart, asserted equal; the latter. */
    protected Map<String, Snap.Message> retained() {
        Map<String, Snap.Message> live = Snap.retained(store.loadRetained());
        store = restart(store);
        Map<String, Snap.Message> after = Snap.retained(store.loadRetained());
        assertEquals(live, after, "retained messages differ across a restart");
        assertEquals(List.copyOf(live.keySet()), List.copyOf(after.keySet()), "retained order differs across a restart");
        return after;
    }

    static byte[] id(int n) {
        byte[] id = new byte[16];
        for (int i = 0; i < 16; i++) {
            id[i] = (byte) (n * 31 + i * 7);
        }
        id[0] = (byte) n;
        id[1] = (byte) (n >>> 8);
        return id;
    }

    static StoredMessage msg(String topic, int qos, String payload) {
        return new StoredMessage(topic, qos, false, 1, payload.getBytes(StandardCharsets.UTF_8), 0);
    }

    static OutboundEntry queued(long seq, String payload) {
        return new OutboundEntry(seq, 0, OutboundState.QUEUED, msg("t/" + seq, 1, payload));
    }

    private static List<Long> sequences(Snap.Session s) {
        List<Long> out = new ArrayList<>();
        s.outbound().forEach(o -> out.add(o.seq()));
        return out;
    }

    // ---- sessions ----

    @Test
    void emptyStoreLoadsNothing() {
        assertEquals(Map.of(), sessions());
        assertEquals(Map.of(), retained());
    }

    @Test
    void saveSessionStoresTheHeader() {
        store.saveSession(id(1), "client-1", "alice", 3600, 42);
        assertEquals(Map.of(Snap.hex(id(1)), new Snap.Session("client-1", "alice", 3600, 0, 42, Map.of(), List.of(), Set.of())),
                sessions());
    }

    @Test
    void saveSessionAgainUpdatesTheHeaderAndKeepsTheDisconnectTime() {
        store.saveSession(id(1), "client-1", "alice", 3600, 42);
        store.markDisconnected(id(1), 1_700_000_000_000L);
        store.saveSession(id(1), "client-2", "bob", 60, 0xFFFF_FFFFL);
        assertEquals(new Snap.Session("client-2", "bob", 60, 1_700_000_000_000L, 0xFFFF_FFFFL, Map.of(), List.of(), Set.of()),
                sessions().get(Snap.hex(id(1))));
    }

    @Test
    void saveSessionAcceptsNullClientIdAndOwnerAndLargeValues() {
        store.saveSession(id(1), null, null, Long.MAX_VALUE, Long.MAX_VALUE);
        assertEquals(new Snap.Session(null, null, Long.MAX_VALUE, 0, Long.MAX_VALUE, Map.of(), List.of(), Set.of()),
                sessions().get(Snap.hex(id(1))));
    }

    @Test
    void saveSessionKeepsUnicodeIdentities() {
        store.saveSession(id(1), "clïent-€-😀", "ówner", 1, 1);
        Snap.Session s = sessions().get(Snap.hex(id(1)));
        assertEquals("clïent-€-😀", s.clientId());
        assertEquals("ówner", s.owner());
    }

    @Test
    void markDisconnectedRecordsAndClearsTheTime() {
        store.saveSession(id(1), "c", "o", 10, 1);
        store.markDisconnected(id(1), 123_456L);
        assertEquals(123_456L, sessions().get(Snap.hex(id(1))).disconnectedAt());
        store.markDisconnected(id(1), 0);
        assertEquals(0L, sessions().get(Snap.hex(id(1))).disconnectedAt());
    }

    @Test
    void markDisconnectedOfAnUnknownSessionCreatesNothing() {
        store.markDisconnected(id(9), 123_456L);
        assertEquals(Map.of(), sessions());
    }

    @ParameterizedTest
    @ValueSource(strings = {"subscription", "outbound", "inboundQos2"})
    void aChildCreatesItsSessionWithDefaults(String child) {
        switch (child) {
            case "subscription" -> store.saveSubscription(id(2), "a/#", 1);
            case "outbound" -> store.addOutbound(id(2), queued(1, "x"));
            default -> store.addInboundQos2(id(2), 7);
        }
        store.markDisconnected(id(2), 99);
        Snap.Session s = sessions().get(Snap.hex(id(2)));
        assertEquals(null, s.clientId());
        assertEquals(null, s.owner());
        assertEquals(0L, s.expirySeconds());
        assertEquals(0L, s.nextPacketId());
        assertEquals(99L, s.disconnectedAt());
    }

    @Test
    void aSessionOutlivesItsLastChild() {
        store.saveSubscription(id(2), "a/#", 1);
        store.deleteSubscription(id(2), "a/#");
        assertEquals(Map.of(Snap.hex(id(2)), Snap.Session.empty()), sessions());
    }

    @Test
    void deleteSessionRemovesEverythingItOwnsAndNothingElse() {
        for (int n = 1; n <= 2; n++) {
            store.saveSession(id(n), "c" + n, "o", 100, 5);
            store.markDisconnected(id(n), 77);
            store.saveSubscription(id(n), "a/+", 2);
            store.addOutbound(id(n), queued(1, "one"));
            store.addOutbound(id(n), new OutboundEntry(2, 9, OutboundState.PUBLISHED, msg("b", 2, "two")));
            store.addInboundQos2(id(n), 3);
        }
        store.putRetained("r", msg("r", 1, "kept"));
        store.deleteSession(id(1));
        Map<String, Snap.Session> s = sessions();
        assertEquals(Set.of(Snap.hex(id(2))), s.keySet());
        assertEquals(2, s.get(Snap.hex(id(2))).outbound().size());
        assertEquals(Set.of("r"), retained().keySet());

        // the id starts clean when used again
        store.addInboundQos2(id(1), 4);
        assertEquals(new Snap.Session(null, null, 0, 0, 0, Map.of(), List.of(), Set.of(4L)), sessions().get(Snap.hex(id(1))));
    }

    @Test
    void deleteOfAnUnknownSessionIsANoOp() {
        store.saveSession(id(1), "c", "o", 1, 1);
        store.deleteSession(id(2));
        assertEquals(Set.of(Snap.hex(id(1))), sessions().keySet());
    }

    @Test
    void sessionIdsAreCopied() {
        byte[] id = id(1);
        store.saveSession(id, "c", "o", 1, 1);
        store.addOutbound(id, queued(1, "x"));
        byte[] original = id.clone();
        id[0] ^= 0x55;
        assertEquals(Set.of(Snap.hex(original)), sessions().keySet());
    }

    @Test
    void manySessionsStayApart() {
        for (int n = 0; n < 50; n++) {
            store.saveSession(id(n), "c" + n, "o" + (n % 3), n, n + 1);
            store.saveSubscription(id(n), "s/" + n, n % 3);
            store.addOutbound(id(n), queued(n, "m" + n));
        }
        Map<String, Snap.Session> s = sessions();
        assertEquals(50, s.size());
        for (int n = 0; n < 50; n++) {
            Snap.Session one = s.get(Snap.hex(id(n)));
            assertEquals("c" + n, one.clientId());
            assertEquals(Map.of("s/" + n, n % 3), one.subscriptions());
            assertEquals(List.of((long) n), sequences(one));
        }
    }

    // ---- subscriptions ----

    @Test
    void subscriptionsAreAddedReplacedAndDeletedInOrder() {
        store.saveSession(id(1), "c", "o", 1, 1);
        store.saveSubscription(id(1), "a/#", 0);
        store.saveSubscription(id(1), "b/+/c", 1);
        store.saveSubscription(id(1), "$share/g/d", 2);
        store.saveSubscription(id(1), "a/#", 2); // replace: keeps its place
        Map<String, Integer> subs = sessions().get(Snap.hex(id(1))).subscriptions();
        assertEquals(Map.of("a/#", 2, "b/+/c", 1, "$share/g/d", 2), subs);
        assertEquals(List.of("a/#", "b/+/c", "$share/g/d"), List.copyOf(subs.keySet()));

        store.deleteSubscription(id(1), "b/+/c");
        store.deleteSubscription(id(1), "never/subscribed");
        assertEquals(Map.of("a/#", 2, "$share/g/d", 2), sessions().get(Snap.hex(id(1))).subscriptions());
    }

    @Test
    void deleteSubscriptionOfAnUnknownSessionCreatesNothing() {
        store.deleteSubscription(id(3), "a");
        assertEquals(Map.of(), sessions());
    }

    // ---- outbound ----

    @Test
    void outboundRoundTripsEveryField() {
        StoredMessage full = new StoredMessage("dev/ï/€", 2, true, 0xABCD, new byte[] {0, 1, (byte) 0xFF, 127, -128},
                1_900_000_000_123L);
        StoredMessage empty = new StoredMessage("e", 0, false, 0, new byte[0], 0);
        byte[] big = new byte[256 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 131);
        }
        StoredMessage large = new StoredMessage("big", 1, false, 3, big, 5);
        store.addOutbound(id(1), new OutboundEntry(10, 0xFFFF_FFFFL, OutboundState.PUBLISHED, full));
        store.addOutbound(id(1), new OutboundEntry(11, 0, OutboundState.QUEUED, empty));
        store.addOutbound(id(1), new OutboundEntry(12, 1, OutboundState.RELEASED, large));
        List<Snap.Out> out = sessions().get(Snap.hex(id(1))).outbound();
        assertEquals(List.of(new Snap.Out(10, 0xFFFF_FFFFL, OutboundState.PUBLISHED, Snap.Message.of(full)),
                new Snap.Out(11, 0, OutboundState.QUEUED, Snap.Message.of(empty)),
                new Snap.Out(12, 1, OutboundState.RELEASED, Snap.Message.of(large))), out);
    }

    @Test
    void traceContextRoundTripsWithOutboundAndRetainedMessages() {
        String parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        StoredMessage both = new StoredMessage("t/1", 1, false, 0, new byte[] {1}, 0,
                new TraceContext(parent, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"));
        StoredMessage parentOnly = new StoredMessage("t/2", 2, false, 0, new byte[] {2}, 0,
                new TraceContext(parent, null));
        StoredMessage none = msg("t/3", 1, "untraced");
        store.addOutbound(id(1), new OutboundEntry(1, 0, OutboundState.QUEUED, both));
        store.addOutbound(id(1), new OutboundEntry(2, 7, OutboundState.PUBLISHED, parentOnly));
        store.addOutbound(id(1), new OutboundEntry(3, 0, OutboundState.QUEUED, none));
        StoredMessage retainedBoth = both.withDelivery(1, true);
        store.putRetained("t/1", retainedBoth);
        assertEquals(List.of(new Snap.Out(1, 0, OutboundState.QUEUED, Snap.Message.of(both)),
                new Snap.Out(2, 7, OutboundState.PUBLISHED, Snap.Message.of(parentOnly)),
                new Snap.Out(3, 0, OutboundState.QUEUED, Snap.Message.of(none))),
                sessions().get(Snap.hex(id(1))).outbound());
        assertEquals(Map.of("t/1", Snap.Message.of(retainedBoth)), retained());

        // Replacing a retained message replaces its trace context too, with none.
        store.putRetained("t/1", none.withDelivery(1, true));
        assertNull(retained().get("t/1").trace());
    }

    @Test
    void outboundLoadsBySequenceWhateverTheOrderOfAdding() {
        long[] seqs = {5, 1, 1L << 40, 3, 0, 4, Long.MAX_VALUE, 2};
        for (long s : seqs) {
            store.addOutbound(id(1), queued(s, "m" + s));
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 1L << 40, Long.MAX_VALUE), sequences(sessions().get(Snap.hex(id(1)))));
    }

    @Test
    void addingAnExistingSequenceReplacesTheEntry() {
        store.addOutbound(id(1), queued(1, "old"));
        store.addOutbound(id(1), new OutboundEntry(1, 4, OutboundState.PUBLISHED, msg("t/new", 2, "new")));
        assertEquals(List.of(new Snap.Out(1, 4, OutboundState.PUBLISHED, Snap.Message.of(msg("t/new", 2, "new")))),
                sessions().get(Snap.hex(id(1))).outbound());
    }

    @Test
    void updateOutboundChangesPacketIdAndStateOnly() {
        store.addOutbound(id(1), queued(1, "a"));
        store.addOutbound(id(1), queued(2, "b"));
        store.updateOutbound(id(1), 1, 17, OutboundState.PUBLISHED);
        store.updateOutbound(id(1), 2, 18, OutboundState.PUBLISHED);
        store.updateOutbound(id(1), 2, 18, OutboundState.RELEASED);
        List<Snap.Out> out = sessions().get(Snap.hex(id(1))).outbound();
        assertEquals(List.of(new Snap.Out(1, 17, OutboundState.PUBLISHED, Snap.Message.of(queued(1, "a").message())),
                new Snap.Out(2, 18, OutboundState.RELEASED, Snap.Message.of(queued(2, "b").message()))), out);
    }

    @Test
    void updateAndRemoveOfUnknownEntriesAreNoOps() {
        store.addOutbound(id(1), queued(1, "a"));
        store.updateOutbound(id(1), 99, 5, OutboundState.PUBLISHED);
        store.removeOutbound(id(1), 98);
        store.updateOutbound(id(2), 1, 5, OutboundState.PUBLISHED);
        store.removeOutbound(id(2), 1);
        Map<String, Snap.Session> s = sessions();
        assertEquals(Set.of(Snap.hex(id(1))), s.keySet(), "an update or remove must not create a session");
        assertEquals(List.of(new Snap.Out(1, 0, OutboundState.QUEUED, Snap.Message.of(queued(1, "a").message()))),
                s.get(Snap.hex(id(1))).outbound());
    }

    @Test
    void removeOutboundRemovesOnlyThatEntry() {
        for (long s = 1; s <= 5; s++) {
            store.addOutbound(id(1), queued(s, "m"));
            store.addOutbound(id(2), queued(s, "m"));
        }
        store.removeOutbound(id(1), 1);
        store.removeOutbound(id(1), 3);
        store.removeOutbound(id(1), 5);
        Map<String, Snap.Session> s = sessions();
        assertEquals(List.of(2L, 4L), sequences(s.get(Snap.hex(id(1)))));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), sequences(s.get(Snap.hex(id(2)))));
    }

    // ---- QoS 2 inbound ----

    @Test
    void inboundQos2IdsAreAddedOnceAndRemoved() {
        store.addInboundQos2(id(1), 1);
        store.addInboundQos2(id(1), 1);
        store.addInboundQos2(id(1), 0xFFFF_FFFFL);
        store.addInboundQos2(id(1), 77);
        store.removeInboundQos2(id(1), 77);
        store.removeInboundQos2(id(1), 12345);
        store.removeInboundQos2(id(2), 1);
        Map<String, Snap.Session> s = sessions();
        assertEquals(Set.of(Snap.hex(id(1))), s.keySet());
        assertEquals(Set.of(1L, 0xFFFF_FFFFL), s.get(Snap.hex(id(1))).inboundQos2());
    }

    // ---- retained ----

    @Test
    void retainedIsPutReplacedAndCleared() {
        StoredMessage a = new StoredMessage("a", 1, true, 2, new byte[] {1, 2}, 1_800_000_000_000L);
        StoredMessage b = new StoredMessage("b/c", 0, true, 0, new byte[0], 0);
        StoredMessage c = new StoredMessage("c", 2, true, 9, "cc".getBytes(StandardCharsets.UTF_8), 0);
        store.putRetained("a", a);
        store.putRetained("b/c", b);
        store.putRetained("c", c);
        StoredMessage a2 = new StoredMessage("a", 2, true, 3, new byte[] {9}, 0);
        store.putRetained("a", a2);
        store.putRetained("b/c", null);
        store.putRetained("never", null);
        Map<String, Snap.Message> r = retained();
        assertEquals(Map.of("a", Snap.Message.of(a2), "c", Snap.Message.of(c)), r);
        assertEquals(List.of("a", "c"), List.copyOf(r.keySet()));

        store.putRetained("b/c", b); // cleared and set again: now last
        assertEquals(List.of("a", "c", "b/c"), List.copyOf(retained().keySet()));
    }

    @Test
    void retainedMessagesAreNotSessions() {
        store.putRetained("a", msg("a", 1, "x"));
        assertEquals(Map.of(), sessions());
    }

    // ---- ordering, concurrency, groups, barriers ----

    @Test
    void barrierCompletes() throws Exception {
        store.saveSession(id(1), "c", "o", 1, 1);
        store.barrier().get(30, TimeUnit.SECONDS);
        assertEquals(Set.of(Snap.hex(id(1))), sessions().keySet());
    }

    @Test
    void concurrentProducersKeepPerThreadOrder() throws Exception {
        int threads = 4;
        int perThread = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                byte[] sid = id(100 + t);
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        // Only applied in call order does this end with the odd entries, PUBLISHED,
                        // and nextPacketId = perThread.
                        store.addOutbound(sid, queued(i, "m" + i));
                        store.updateOutbound(sid, i, i + 1, OutboundState.PUBLISHED);
                        if (i % 2 == 0) {
                            store.removeOutbound(sid, i);
                        }
                        store.saveSession(sid, "c", "o", 1, i + 1);
                        if (i % 64 == 63) {
                            store.barrier();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, Snap.Session> s = sessions();
        for (int t = 0; t < threads; t++) {
            Snap.Session one = s.get(Snap.hex(id(100 + t)));
            assertEquals(perThread, one.nextPacketId());
            assertEquals(perThread / 2, one.outbound().size());
            for (int k = 0; k < one.outbound().size(); k++) {
                Snap.Out o = one.outbound().get(k);
                long expected = 2L * k + 1;
                assertEquals(expected, o.seq());
                assertEquals(expected + 1, o.packetId());
                assertEquals(OutboundState.PUBLISHED, o.state());
            }
        }
    }

    @Test
    void groupAppliesEveryMutationItMakes() throws Exception {
        store.group(() -> {
            store.saveSession(id(1), "c", "o", 10, 1);
            store.addOutbound(id(1), queued(1, "m"));
            store.group(() -> store.addInboundQos2(id(1), 5)); // nested: joins the outer group
            store.removeInboundQos2(id(1), 6);
        });
        store.barrier().get(30, TimeUnit.SECONDS);
        assertEquals(new Snap.Session("c", "o", 10, 0, 1, Map.of(),
                List.of(new Snap.Out(1, 0, OutboundState.QUEUED, Snap.Message.of(queued(1, "m").message()))), Set.of(5L)),
                sessions().get(Snap.hex(id(1))));
    }

    @Test
    void aBarrierInsideAGroupCompletesWithIt() throws Exception {
        List<CompletableFuture<Void>> inner = new ArrayList<>();
        store.group(() -> {
            store.addOutbound(id(1), queued(1, "m"));
            inner.add(store.barrier());
            store.addOutbound(id(1), queued(2, "m"));
        });
        inner.get(0).get(30, TimeUnit.SECONDS);
        assertEquals(List.of(1L, 2L), sequences(sessions().get(Snap.hex(id(1)))));
    }

    @Test
    void aGroupWhoseBodyThrowsKeepsWhatItDidAndRethrows() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> store.group(() -> {
            store.addOutbound(id(1), queued(1, "m"));
            throw new IllegalArgumentException("boom");
        }));
        assertEquals("boom", thrown.getMessage());
        store.addOutbound(id(1), queued(2, "m")); // the store still works, outside any group
        assertEquals(List.of(1L, 2L), sequences(sessions().get(Snap.hex(id(1)))));
    }

    @Test
    void groupsFromSeveralThreadsAreNotInterleaved() throws Exception {
        int threads = 4;
        int groups = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int g = 0; g < groups; g++) {
                        long seq = (long) g * threads + thread;
                        // every group writes the same session: delete, then rebuild with its own seq
                        store.group(() -> {
                            store.deleteSession(id(1));
                            store.saveSession(id(1), "c", "o", 1, seq);
                            store.addOutbound(id(1), queued(seq, "m"));
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Snap.Session s = sessions().get(Snap.hex(id(1)));
        // interleaved groups would leave two entries, or one that does not match the header
        assertEquals(1, s.outbound().size(), () -> "entries: " + s.outbound());
        assertEquals(s.nextPacketId(), s.outbound().get(0).seq());
    }

    @Test
    void storeStaysUsableAfterManyRestarts() {
        for (int round = 0; round < 5; round++) {
            store.addOutbound(id(1), queued(round, "r" + round));
            assertEquals(round + 1, sessions().get(Snap.hex(id(1))).outbound().size());
        }
        assertTrue(sessions().containsKey(Snap.hex(id(1))));
    }
}
