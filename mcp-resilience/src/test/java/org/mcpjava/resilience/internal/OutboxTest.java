package org.mcpjava.resilience.internal;

import org.junit.jupiter.api.Test;
import org.mcpjava.core.McpException;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.HealthPolicy;
import org.mcpjava.resilience.InMemoryOfflineQueue;
import org.mcpjava.resilience.OverflowPolicy;
import org.mcpjava.resilience.QueueStats;
import org.mcpjava.resilience.QueuedMessage;
import org.mcpjava.wire.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboxTest {
    private static final Endpoint E = new Endpoint("e.example", 1);
    private final InMemoryOfflineQueue journal = new InMemoryOfflineQueue();
    private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);

    private Outbox outbox(int capacity, long maxBytes, OverflowPolicy policy, int maxInFlight, int maxAttempts) {
        return new Outbox(journal, capacity, maxBytes, policy, maxInFlight, maxAttempts, wall::get);
    }

    private Outbox outbox() {
        return outbox(100, 1 << 20, OverflowPolicy.REJECT_NEW, 100, 0);
    }

    private static FakeLink link(boolean sessionPresent) {
        return new FakeLink(E, sessionPresent, HealthPolicy.defaults());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> sent(FakeLink l) {
        List<String> out = new ArrayList<>();
        for (FakeLink.Publish p : l.publishes) {
            out.add(new String(p.payload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static List<Long> journaled(InMemoryOfflineQueue q) {
        return q.recover().stream().map(QueuedMessage::sequence).toList();
    }

    private static int code(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return McpException.find(e).code();
    }

    private List<CompletableFuture<Void>> offer(Outbox o, int qos, String... payloads) {
        List<CompletableFuture<Void>> out = new ArrayList<>();
        for (String p : payloads) {
            out.add(o.offer("t", qos, false, 0, bytes(p), 0));
        }
        return out;
    }

    @Test
    void sendsInOrderAndCompletesOnAcknowledgement() {
        Outbox o = outbox();
        FakeLink l = link(true);
        o.linkUp(l);
        List<CompletableFuture<Void>> f = offer(o, 1, "a", "b", "c");
        assertEquals(List.of("a", "b", "c"), sent(l));
        assertEquals(List.of(1L, 2L, 3L), journaled(journal), "journaled until acknowledged");
        l.publishes.get(1).done().complete(null);
        assertTrue(f.get(1).isDone());
        assertFalse(f.get(0).isDone());
        assertEquals(List.of(1L, 3L), journaled(journal));
        assertEquals(new QueueStats(2, 2, 1, 0, 0, 0), o.stats());
    }

    @Test
    void messagesAcceptedOfflineGoOutInOrderOnceConnected() {
        Outbox o = outbox();
        List<CompletableFuture<Void>> f = offer(o, 1, "a", "b");
        f.addAll(offer(o, 0, "c"));
        assertEquals(List.of(1L, 2L, 3L), journaled(journal), "QoS 0 accepted offline is journaled too");
        FakeLink l = link(false);
        o.linkUp(l);
        assertEquals(List.of("a", "b", "c"), sent(l));
        l.publishes.forEach(p -> p.done().complete(null));
        f.forEach(CompletableFuture::join);
        assertEquals(List.of(), journaled(journal));
    }

    @Test
    void qos0SentWhileConnectedIsNotJournaledAndNotRetried() {
        Outbox o = outbox();
        FakeLink l = link(true);
        o.linkUp(l);
        CompletableFuture<Void> f = offer(o, 0, "x").get(0);
        assertEquals(List.of(), journaled(journal));
        l.publishes.get(0).done().completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "write failed"));
        assertEquals(ErrorCode.UNAVAILABLE.code(), code(f), "at most once: a failed QoS 0 is not sent again");
        assertEquals(0, o.size());
    }

    @Test
    void aConnectionThatFailsHandOversIsLeftAndTheMessagesGoToTheNextInOrder() {
        Outbox o = outbox();
        FakeLink l1 = link(true);
        o.linkUp(l1);
        List<CompletableFuture<Void>> f = offer(o, 1, "a", "b", "c");
        for (FakeLink.Publish p : l1.publishes) {
            p.done().completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "not connected"));
        }
        assertEquals(3, l1.publishes.size(), "not sent to the failing connection again");
        offer(o, 1, "d");
        assertEquals(3, l1.publishes.size());
        o.linkDown(l1);
        FakeLink l2 = link(false);
        o.linkUp(l2);
        assertEquals(List.of("a", "b", "c", "d"), sent(l2));
        l2.publishes.forEach(p -> p.done().complete(null));
        f.forEach(CompletableFuture::join);
    }

    @Test
    void inFlightIsBoundedAndAcknowledgementsLetMoreOut() {
        Outbox o = outbox(100, 1 << 20, OverflowPolicy.REJECT_NEW, 2, 0);
        FakeLink l = link(true);
        o.linkUp(l);
        offer(o, 1, "a", "b", "c", "d");
        assertEquals(List.of("a", "b"), sent(l));
        l.publishes.get(0).done().complete(null);
        assertEquals(List.of("a", "b", "c"), sent(l));
        assertEquals(2, o.stats().inFlight());
    }

    @Test
    void overloadedWaitsForTheNextAcknowledgement() {
        Outbox o = outbox();
        FakeLink l = link(true);
        o.linkUp(l);
        offer(o, 1, "a", "b");
        l.publishes.get(1).done().completeExceptionally(new McpException(ErrorCode.OVERLOADED, "window"));
        assertEquals(2, l.publishes.size(), "not re-sent at once");
        l.publishes.get(0).done().complete(null);
        assertEquals(List.of("a", "b", "b"), sent(l));
    }

    @Test
    void fullQueueRejectsNewMessagesByDefault() {
        Outbox o = outbox(3, 1 << 20, OverflowPolicy.REJECT_NEW, 100, 0);
        List<CompletableFuture<Void>> f = offer(o, 1, "a", "b", "c", "d");
        assertEquals(ErrorCode.QUOTA_EXCEEDED.code(), code(f.get(3)));
        assertEquals(List.of(1L, 2L, 3L), journaled(journal));
        assertEquals(1, o.stats().rejected());
        FakeLink l = link(false);
        o.linkUp(l);
        assertEquals(List.of("a", "b", "c"), sent(l));
    }

    @Test
    void dropOldestMakesRoomWithTheOldestUnsentMessage() {
        Outbox o = outbox(3, 1 << 20, OverflowPolicy.DROP_OLDEST, 100, 0);
        List<CompletableFuture<Void>> f = offer(o, 1, "a", "b", "c", "d", "e");
        assertEquals(ErrorCode.QUOTA_EXCEEDED.code(), code(f.get(0)));
        assertEquals(ErrorCode.QUOTA_EXCEEDED.code(), code(f.get(1)));
        assertEquals(List.of(3L, 4L, 5L), journaled(journal));
        assertEquals(2, o.stats().dropped());
        FakeLink l = link(false);
        o.linkUp(l);
        assertEquals(List.of("c", "d", "e"), sent(l));
        // all three are in flight now: nothing can be dropped, so the new one is refused
        CompletableFuture<Void> g = offer(o, 1, "f").get(0);
        assertEquals(ErrorCode.QUOTA_EXCEEDED.code(), code(g));
        assertEquals(1, o.stats().rejected());
    }

    @Test
    void theByteBoundCountsPayloads() {
        Outbox o = outbox(100, 10, OverflowPolicy.REJECT_NEW, 100, 0);
        List<CompletableFuture<Void>> f = offer(o, 1, "12345", "1234", "12");
        assertFalse(f.get(0).isDone());
        assertFalse(f.get(1).isDone());
        assertEquals(ErrorCode.QUOTA_EXCEEDED.code(), code(f.get(2)));
        assertEquals(ErrorCode.QUOTA_EXCEEDED.code(), code(offer(o, 1, "12345678901").get(0)), "larger than the bound");
    }

    @Test
    void expiredMessagesAreDroppedUnsentAndTheRestCarryTheirRemainingExpiry() {
        Outbox o = outbox();
        CompletableFuture<Void> shortLived = o.offer("t", 1, false, 0, bytes("old"), wall.get() + 2_000);
        CompletableFuture<Void> longLived = o.offer("t", 1, false, 0, bytes("new"), wall.get() + 10_000);
        wall.addAndGet(3_500);
        FakeLink l = link(false);
        o.linkUp(l);
        assertEquals(ErrorCode.DEADLINE_EXCEEDED.code(), code(shortLived));
        assertEquals(List.of("new"), sent(l));
        assertEquals(7, l.publishes.get(0).expirySeconds(), "6.5 s left, rounded up");
        assertEquals(1, o.stats().expired());
        assertFalse(longLived.isDone());
        assertEquals(List.of(2L), journaled(journal));
    }

    @Test
    void aFullQueueFirstPurgesExpiredMessages() {
        Outbox o = outbox(2, 1 << 20, OverflowPolicy.REJECT_NEW, 100, 0);
        CompletableFuture<Void> a = o.offer("t", 1, false, 0, bytes("a"), wall.get() + 1_000);
        offer(o, 1, "b");
        wall.addAndGet(1_000);
        CompletableFuture<Void> c = offer(o, 1, "c").get(0);
        assertEquals(ErrorCode.DEADLINE_EXCEEDED.code(), code(a));
        assertFalse(c.isDone(), "room was made by the expired message");
    }

    @Test
    void lostConnectionsCountAsAttemptsAndTheLimitGivesAMessageUp() {
        Outbox o = outbox(100, 1 << 20, OverflowPolicy.REJECT_NEW, 100, 2);
        CompletableFuture<Void> f = offer(o, 1, "poison").get(0);
        for (int attempt = 1; attempt <= 2; attempt++) {
            FakeLink l = link(false);
            o.linkUp(l);
            assertEquals(1, l.publishes.size(), "attempt " + attempt);
            o.linkDown(l); // the connection died with the message unacknowledged
            assertEquals(attempt, journal.recover().get(0).attempts());
            l.publishes.get(0).done().completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "connection closed"));
        }
        FakeLink l3 = link(false);
        o.linkUp(l3);
        assertEquals(0, l3.publishes.size());
        assertEquals(ErrorCode.UNAVAILABLE.code(), code(f));
        assertEquals(List.of(), journaled(journal));
        assertEquals(1, o.stats().dropped());
    }

    @Test
    void aRefusalOtherThanUnavailableIsFinal() {
        Outbox o = outbox();
        FakeLink l = link(true);
        o.linkUp(l);
        CompletableFuture<Void> f = offer(o, 2, "x").get(0);
        l.publishes.get(0).done().completeExceptionally(new McpException(ErrorCode.PERMISSION_DENIED, "no"));
        assertEquals(ErrorCode.PERMISSION_DENIED.code(), code(f));
        assertEquals(List.of(), journaled(journal));
        assertEquals(1, l.publishes.size());
    }

    @Test
    void recoveredMessagesGoFirstAndSequencesContinue() {
        journal.append(new QueuedMessage(41, "t", 1, false, 0, bytes("r1"), 0, 3));
        journal.append(new QueuedMessage(42, "t", 1, false, 0, bytes("r2"), 0, 0));
        Outbox o = outbox();
        assertEquals(2, o.recover());
        offer(o, 1, "n1");
        FakeLink l = link(false);
        o.linkUp(l);
        assertEquals(List.of("r1", "r2", "n1"), sent(l));
        assertEquals(List.of(41L, 42L, 43L), journaled(journal));
        l.publishes.forEach(p -> p.done().complete(null));
        assertEquals(List.of(), journaled(journal));
        assertEquals(3, o.stats().acknowledged());
    }

    @Test
    void closeFailsWhatIsLeftAndKeepsItInTheJournal() {
        Outbox o = outbox();
        FakeLink l = link(true);
        o.linkUp(l);
        List<CompletableFuture<Void>> f = offer(o, 1, "a", "b");
        o.linkDown(l);
        o.close();
        f.forEach(x -> assertEquals(ErrorCode.UNAVAILABLE.code(), code(x)));
        assertEquals(List.of(1L, 2L), journaled(journal));
        l.publishes.get(0).done().complete(null); // a late acknowledgement changes nothing
        assertEquals(List.of(1L, 2L), journaled(journal));
        assertEquals(ErrorCode.UNAVAILABLE.code(), code(offer(o, 1, "c").get(0)));
    }

    @Test
    void closeWithACauseFailsWhatIsLeftWithItAndKeepsItInTheJournal() {
        Outbox o = outbox();
        List<CompletableFuture<Void>> f = offer(o, 1, "a", "b");
        o.close(new McpException(ErrorCode.UNAUTHENTICATED, "authentication failed"));
        f.forEach(x -> assertEquals(ErrorCode.UNAUTHENTICATED.code(), code(x)));
        assertEquals(List.of(1L, 2L), journaled(journal));
        assertEquals(ErrorCode.UNAUTHENTICATED.code(), code(offer(o, 1, "c").get(0)));
        assertEquals(List.of(1L, 2L), journaled(journal), "a message offered after the end is not taken");
    }

    @Test
    void aHeadTooLargeForTheServerIsFailedAndRemovedAndTheRestGoOnInOrder() {
        // From an earlier run (no future) and from this one: both too large for the server reached now.
        journal.append(new QueuedMessage(1, "t", 1, false, 0, bytes("big-recovered"), 0, 0));
        Outbox o = outbox();
        assertEquals(1, o.recover());
        List<CompletableFuture<Void>> f = offer(o, 1, "a", "big", "b");
        FakeLink l = link(false);
        o.linkUp(l);
        assertEquals(List.of("big-recovered", "a", "big", "b"), sent(l), "handed over in order");
        McpException tooLarge = new McpException(ErrorCode.FRAME_TOO_LARGE, "exceeds the server's MAX_FRAME");
        l.publishes.get(0).done().completeExceptionally(tooLarge);
        l.publishes.get(2).done().completeExceptionally(tooLarge);
        assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), code(f.get(1)));
        assertEquals(List.of(2L, 4L), journaled(journal), "removed from the journal: a final failure");
        assertEquals(4, l.publishes.size(), "not handed over again");
        l.publishes.get(1).done().complete(null);
        l.publishes.get(3).done().complete(null);
        f.get(0).join();
        f.get(2).join();
        assertEquals(List.of(), journaled(journal));
        assertEquals(new QueueStats(0, 0, 2, 0, 2, 0), o.stats());
    }
}
