package org.mcpjava.resilience.internal;

import org.junit.jupiter.api.Test;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Message;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.HealthPolicy;
import org.mcpjava.wire.ErrorCode;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SubscriptionRegistryTest {
    private final List<String> got = new CopyOnWriteArrayList<>();
    private final List<String> unmatched = new CopyOnWriteArrayList<>();
    private final SubscriptionRegistry registry = new SubscriptionRegistry(m -> unmatched.add(m.topic()));

    private static FakeLink link(boolean present) {
        return new FakeLink(new Endpoint("e.example", 1), present, HealthPolicy.defaults());
    }

    private static Message message(String topic) {
        return new Message(topic, 1, false, false, 0, new byte[0]);
    }

    @Test
    void subscriptionsMadeOfflineAreSentOnConnectAndConfirmedByTheGrant() {
        CompletableFuture<Integer> granted = registry.subscribe("a/+", 1, m -> got.add("a:" + m.topic()));
        FakeLink l = link(false);
        registry.linkUp(l);
        assertEquals(List.of(Map.of("a/+", 1)), l.subscribes.stream().map(FakeLink.Subscribe::filters).toList());
        assertFalse(granted.isDone());
        l.subscribes.get(0).done().complete(new int[]{1});
        assertEquals(1, granted.join());
    }

    @Test
    void aResumedSessionKeepsConfirmedSubscriptionsANewOneGetsThemAgain() {
        registry.subscribe("a/#", 1, m -> got.add(m.topic()));
        FakeLink l1 = link(false);
        registry.linkUp(l1);
        l1.subscribes.get(0).done().complete(new int[]{1});
        registry.subscribe("b", 0, m -> got.add(m.topic()));
        l1.subscribes.get(1).done().completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "lost"));
        registry.linkDown(l1);

        FakeLink resumed = link(true);
        registry.linkUp(resumed);
        assertEquals(List.of(Map.of("b", 0)), resumed.subscribes.stream().map(FakeLink.Subscribe::filters).toList(),
                "only what the server may not have");
        resumed.subscribes.get(0).done().complete(new int[]{0});
        registry.linkDown(resumed);

        FakeLink fresh = link(false);
        registry.linkUp(fresh);
        assertEquals(List.of(Map.of("a/#", 1, "b", 0)), fresh.subscribes.stream().map(FakeLink.Subscribe::filters).toList());
    }

    @Test
    void unsubscribeWhileOfflineReachesAResumedSession() {
        registry.subscribe("a", 1, m -> got.add(m.topic()));
        FakeLink l1 = link(false);
        registry.linkUp(l1);
        l1.subscribes.get(0).done().complete(new int[]{1});
        registry.linkDown(l1);
        CompletableFuture<Void> gone = registry.unsubscribe("a");
        assertFalse(gone.isDone());
        FakeLink resumed = link(true);
        registry.linkUp(resumed);
        assertEquals(List.of(List.of("a")), resumed.unsubscribes);
        gone.join();
        assertEquals(List.of(), resumed.subscribes);
    }

    @Test
    void messagesGoToEveryMatchingListenerAndTheRestToTheFallback() {
        registry.subscribe("s/+/t", 1, m -> got.add("plus:" + m.topic()));
        registry.subscribe("s/#", 1, m -> got.add("hash:" + m.topic()));
        registry.subscribe("$share/g/x/#", 1, m -> got.add("share:" + m.topic()));
        registry.onMessage(message("s/1/t"));
        registry.onMessage(message("x/y"));
        registry.onMessage(message("other"));
        assertEquals(List.of("plus:s/1/t", "hash:s/1/t", "share:x/y"), got);
        assertEquals(List.of("other"), unmatched);
    }

    @Test
    void aRefusedFilterIsRemovedAndABadOneFailsAtOnce() {
        CompletableFuture<Integer> refused = registry.subscribe("a", 1, m -> got.add(m.topic()));
        FakeLink l = link(false);
        registry.linkUp(l);
        l.subscribes.get(0).done().complete(new int[]{0x80});
        CompletionException e = assertThrows(CompletionException.class, refused::join);
        assertEquals(ErrorCode.TOPIC_INVALID.code(), McpException.find(e).code());
        assertEquals(0, registry.size());
        CompletableFuture<Integer> bad = registry.subscribe("a/#/b", 1, m -> got.add(m.topic()));
        assertEquals(ErrorCode.TOPIC_INVALID.code(), McpException.find(assertThrows(CompletionException.class, bad::join)).code());
    }

    @Test
    void closeWithACauseFailsPendingAndLaterRequestsWithIt() {
        CompletableFuture<Integer> pending = registry.subscribe("a/+", 1, m -> got.add(m.topic()));
        registry.close(new McpException(ErrorCode.SESSION_TAKEN_OVER, "taken over"));
        assertEquals(ErrorCode.SESSION_TAKEN_OVER.code(), code(pending));
        assertEquals(ErrorCode.SESSION_TAKEN_OVER.code(), code(registry.subscribe("b", 1, m -> { })));
        assertEquals(ErrorCode.SESSION_TAKEN_OVER.code(), code(registry.unsubscribe("a/+")),
                "no connection will come to send it");
    }

    private static int code(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return McpException.find(e).code();
    }
}
