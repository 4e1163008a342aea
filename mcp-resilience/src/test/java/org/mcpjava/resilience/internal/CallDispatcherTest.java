package org.mcpjava.resilience.internal;

import org.junit.jupiter.api.Test;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.CallOptions;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.HealthPolicy;
import org.mcpjava.resilience.ManualScheduler;
import org.mcpjava.resilience.RetryPolicy;
import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fail-fast, wait-for-ready, the per-connection bound, retries and deadlines, on a manual clock. */
class CallDispatcherTest {
    private static final int ECHO = 0xFF01;
    private static final int ORDER = 0x0001;

    private final ManualScheduler clock = new ManualScheduler();
    private volatile FakeLink ready;
    private final List<Link> deadlines = new ArrayList<>();
    private int bound = 100;

    private final LinkSelector selector = new LinkSelector() {
        @Override
        public Link acquire() {
            FakeLink l = ready;
            if (l == null || l.inFlight().get() >= bound) {
                return null;
            }
            l.inFlight().incrementAndGet();
            return l;
        }

        @Override
        public boolean anyReady() {
            return ready != null;
        }
    };

    private CallDispatcher dispatcher(boolean waitForReady) {
        return new CallDispatcher(selector, clock, RetryPolicy.defaults(), Duration.ofSeconds(5), waitForReady,
                () -> 0.5, deadlines::add, () -> "TEST");
    }

    private static FakeLink link() {
        return new FakeLink(new Endpoint("e.example", 1), false, HealthPolicy.defaults());
    }

    private static int code(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return McpException.find(e).code();
    }

    private static void answer(FakeLink.Call c, String text) {
        c.reply().complete(Payload.utf8(text));
    }

    @Test
    void failFastWithoutAConnectionFailsAtOnceAndReleasesThePayload() {
        CallDispatcher d = dispatcher(false);
        Payload p = Payload.utf8("x");
        CompletableFuture<Payload> f = d.call(ORDER, p, CallOptions.defaults());
        assertEquals(ErrorCode.UNAVAILABLE.code(), code(f));
        assertEquals(0, p.refCnt());
    }

    @Test
    void waitForReadyWaitsForTheConnectionThenSends() {
        CallDispatcher d = dispatcher(false);
        Payload p = Payload.utf8("hello");
        CompletableFuture<Payload> f = d.call(ORDER, p, CallOptions.defaults().waitForReady(true));
        clock.advance(Duration.ofSeconds(4));
        assertFalse(f.isDone());
        assertEquals(1, d.waiting());
        FakeLink l = link();
        ready = l;
        d.readyChanged();
        assertEquals(1, l.calls.size());
        assertEquals("hello", new String(l.calls.get(0).payload()));
        assertEquals(Duration.ofSeconds(1), l.calls.get(0).timeout(), "the deadline left is what the server gets");
        answer(l.calls.get(0), "done");
        Payload reply = f.join();
        assertEquals("done", reply.toUtf8());
        reply.release();
        assertEquals(0, p.refCnt());
        assertEquals(0, l.inFlight().get());
    }

    @Test
    void waitForReadyFailsWithDeadlineExceededWhenNoConnectionComesInTime() {
        CallDispatcher d = dispatcher(true); // the client's default
        CompletableFuture<Payload> f = d.call(ORDER, Payload.utf8("x"), CallOptions.defaults().timeout(Duration.ofMillis(300)));
        clock.advance(Duration.ofMillis(299));
        assertFalse(f.isDone());
        clock.advance(Duration.ofMillis(1));
        assertEquals(ErrorCode.DEADLINE_EXCEEDED.code(), code(f));
        assertEquals(0, d.waiting());
        FakeLink l = link();
        ready = l;
        d.readyChanged();
        assertTrue(l.calls.isEmpty(), "an expired call is never sent");
    }

    @Test
    void callsBeyondTheConnectionBoundWaitForRoomEvenWhenFailFast() {
        bound = 2;
        CallDispatcher d = dispatcher(false);
        FakeLink l = link();
        ready = l;
        List<CompletableFuture<Payload>> f = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            f.add(d.call(ORDER, Payload.utf8("c" + i), CallOptions.defaults()));
        }
        assertEquals(2, l.calls.size());
        assertEquals(1, d.waiting());
        answer(l.calls.get(0), "r0");
        assertEquals(3, l.calls.size());
        answer(l.calls.get(1), "r1");
        answer(l.calls.get(2), "r2");
        for (CompletableFuture<Payload> x : f) {
            x.join().release();
        }
        // and if the connection goes away while they wait for room, fail-fast calls fail
        f.clear();
        for (int i = 0; i < 3; i++) {
            f.add(d.call(ORDER, Payload.utf8("d" + i), CallOptions.defaults()));
        }
        ready = null;
        d.readyChanged();
        assertEquals(ErrorCode.UNAVAILABLE.code(), code(f.get(2)));
    }

    @Test
    void idempotentCallsAreRetriedAfterBackoffOthersAreNot() {
        CallDispatcher d = dispatcher(false);
        FakeLink l = link();
        ready = l;
        Payload p = Payload.utf8("ping");
        CompletableFuture<Payload> echo = d.call(ECHO, p, CallOptions.defaults());
        l.calls.get(0).reply().completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "connection closed"));
        assertEquals(1, l.calls.size());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofSeconds(5)), clock.pendingDelays(), "backoff, deadline");
        clock.advance(Duration.ofMillis(100));
        assertEquals(2, l.calls.size());
        assertEquals("ping", new String(l.calls.get(1).payload()), "the same bytes again");
        l.calls.get(1).reply().completeExceptionally(new McpException(ErrorCode.OVERLOADED, "busy"));
        clock.advance(Duration.ofMillis(200));
        answer(l.calls.get(2), "pong");
        echo.join().release();
        assertEquals(0, p.refCnt());

        CompletableFuture<Payload> order = d.call(ORDER, Payload.utf8("buy"), CallOptions.defaults());
        l.calls.get(3).reply().completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "connection closed"));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(4, l.calls.size(), "not idempotent: not repeated");
        assertEquals(ErrorCode.UNAVAILABLE.code(), code(order));

        CompletableFuture<Payload> marked = d.call(ORDER, Payload.utf8("get"), CallOptions.defaults().idempotent(true));
        l.calls.get(4).reply().completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "connection closed"));
        clock.advance(Duration.ofMillis(100));
        answer(l.calls.get(5), "ok");
        marked.join().release();
    }

    @Test
    void retriesStopAtMaxAttemptsAndOnCodesThatAreNotRetryable() {
        CallDispatcher d = dispatcher(false);
        FakeLink l = link();
        ready = l;
        CompletableFuture<Payload> f = d.call(ECHO, Payload.utf8("x"), CallOptions.defaults());
        for (int i = 0; i < 3; i++) {
            l.calls.get(i).reply().completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "gone"));
            clock.advance(Duration.ofSeconds(1));
        }
        assertEquals(3, l.calls.size());
        assertEquals(ErrorCode.UNAVAILABLE.code(), code(f));
        CompletableFuture<Payload> g = d.call(ECHO, Payload.utf8("x"), CallOptions.defaults());
        l.calls.get(3).reply().completeExceptionally(new McpException(ErrorCode.NOT_FOUND, "no"));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(ErrorCode.NOT_FOUND.code(), code(g));
        assertEquals(4, l.calls.size());
    }

    @Test
    void aRetryThatWouldOutliveTheDeadlineIsNotMadeAndALateReplyIsReleased() {
        CallDispatcher d = dispatcher(false);
        FakeLink l = link();
        ready = l;
        CompletableFuture<Payload> f = d.call(ECHO, Payload.utf8("x"), CallOptions.defaults().timeout(Duration.ofMillis(150)));
        clock.advance(Duration.ofMillis(100));
        l.calls.get(0).reply().completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "gone"));
        assertEquals(ErrorCode.UNAVAILABLE.code(), code(f), "50 ms left is less than the 100 ms backoff");

        CompletableFuture<Payload> g = d.call(ORDER, Payload.utf8("y"), CallOptions.defaults().timeout(Duration.ofMillis(100)));
        clock.advance(Duration.ofMillis(100));
        assertEquals(ErrorCode.DEADLINE_EXCEEDED.code(), code(g));
        Payload late = Payload.utf8("late");
        l.calls.get(1).reply().complete(late);
        assertEquals(0, late.refCnt());
    }

    @Test
    void aDeadlineExceededAttemptIsReportedForTheConnectionsHealth() {
        CallDispatcher d = dispatcher(false);
        FakeLink l = link();
        ready = l;
        CompletableFuture<Payload> f = d.call(ORDER, Payload.utf8("x"), CallOptions.defaults());
        l.calls.get(0).reply().completeExceptionally(new McpException(ErrorCode.DEADLINE_EXCEEDED, "slow"));
        assertEquals(ErrorCode.DEADLINE_EXCEEDED.code(), code(f));
        assertEquals(List.of(l), deadlines);
    }

    @Test
    void closeFailsWaitingAndLaterCalls() {
        CallDispatcher d = dispatcher(true);
        CompletableFuture<Payload> waiting = d.call(ORDER, Payload.utf8("x"), CallOptions.defaults());
        d.close();
        assertEquals(ErrorCode.UNAVAILABLE.code(), code(waiting));
        assertEquals(ErrorCode.UNAVAILABLE.code(), code(d.call(ORDER, Payload.utf8("y"), CallOptions.defaults())));
    }

    @Test
    void closeWithACauseFailsWaitingAndLaterCallsWithIt() {
        CallDispatcher d = dispatcher(true);
        CompletableFuture<Payload> waiting = d.call(ORDER, Payload.utf8("x"), CallOptions.defaults());
        d.close(new McpException(ErrorCode.UNAUTHENTICATED, "authentication failed"));
        assertEquals(ErrorCode.UNAUTHENTICATED.code(), code(waiting));
        assertEquals(ErrorCode.UNAUTHENTICATED.code(), code(d.call(ORDER, Payload.utf8("y"), CallOptions.defaults())));
        d.close();
        assertEquals(ErrorCode.UNAUTHENTICATED.code(), code(d.call(ORDER, Payload.utf8("z"), CallOptions.defaults())),
                "the first close counts");
        assertEquals(0, d.waiting());
    }
}
