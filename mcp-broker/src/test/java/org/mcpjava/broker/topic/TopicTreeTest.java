package org.mcpjava.broker.topic;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Delivery rules of {@link TopicTree}: overlap, share groups, unsubscribe and pruning. */
class TopicTreeTest {
    private final TopicTree<String> tree = new TopicTree<>();

    private void sub(String filter, String subscriber, int qos) {
        tree.subscribe(Filter.parse(filter), subscriber, qos);
    }

    /** Deliveries as subscriber -> QoS, asserting that nobody is reported twice. */
    private Map<String, Integer> deliveries(String topic) {
        Map<String, Integer> out = new HashMap<>();
        tree.match(topic, (s, q) -> assertNull(out.put(s, q), () -> s + " reported twice for " + topic));
        return out;
    }

    /** The members picked, in order, for {@code n} publishes to {@code topic}. */
    private List<String> picks(String topic, int n, Predicate<String> ready) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tree.match(topic, ready, (s, q) -> out.add(s));
        }
        return out;
    }

    @Test
    void emptyTreeMatchesNothing() {
        assertEquals(Map.of(), deliveries("a"));
        assertEquals(0, tree.size());
    }

    @Test
    void plainSubscriptionsMatchByFilter() {
        sub("a/b", "exact", 1);
        sub("a/+", "plus", 2);
        sub("#", "all", 0);
        sub("a/#", "under-a", 1);
        sub("b/#", "under-b", 1);
        sub("+/+/c", "two-then-c", 1);
        assertEquals(Map.of("exact", 1, "plus", 2, "all", 0, "under-a", 1), deliveries("a/b"));
        assertEquals(Map.of("all", 0, "under-a", 1), deliveries("a"));
        assertEquals(Map.of("all", 0, "under-a", 1, "two-then-c", 1), deliveries("a/b/c"));
        assertEquals(Map.of("all", 0, "under-b", 1), deliveries("b"));
        assertEquals(Map.of("all", 0, "plus", 2, "under-a", 1), deliveries("a/"));
        assertEquals(6, tree.size());
    }

    @Test
    void emptyLevelsAreRealLevels() {
        sub("a//b", "double", 1);
        sub("/+", "root-plus", 1);
        sub("+/+", "plus-plus", 1);
        sub("/", "slash", 1);
        assertEquals(Map.of("double", 1), deliveries("a//b"));
        assertEquals(Map.of("plus-plus", 1), deliveries("a/b"));
        assertEquals(Map.of(), deliveries("a/b/c"));
        assertEquals(Map.of("root-plus", 1, "plus-plus", 1), deliveries("/a"));
        assertEquals(Map.of("root-plus", 1, "plus-plus", 1, "slash", 1), deliveries("/"));
    }

    @Test
    void wildcardsInTheFirstLevelDoNotMatchDollarTopics() {
        sub("#", "all", 1);
        sub("+/x", "plus-x", 1);
        sub("+/#", "plus-all", 1);
        sub("$SYS/#", "sys", 1);
        sub("$SYS/+", "sys-plus", 2);
        sub("$share/g/#", "shared-all", 1);
        assertEquals(Map.of("sys", 1, "sys-plus", 2), deliveries("$SYS/x"));
        assertEquals(Map.of("sys", 1), deliveries("$SYS"));
        assertEquals(Map.of("all", 1, "plus-x", 1, "plus-all", 1, "shared-all", 1), deliveries("SYS/x"));
    }

    @Test
    void overlappingSubscriptionsDeliverOnceWithTheHighestQos() {
        sub("a/b", "s", 0);
        sub("a/+", "s", 2);
        sub("a/#", "s", 1);
        sub("#", "s", 0);
        sub("a/b", "t", 1);
        sub("#", "t", 0);
        assertEquals(Map.of("s", 2, "t", 1), deliveries("a/b"));
        assertEquals(Map.of("s", 1, "t", 0), deliveries("a"));
        assertEquals(6, tree.size());
    }

    @Test
    void subscribingAgainReplacesTheQos() {
        sub("a/+", "s", 2);
        sub("a/+", "s", 0);
        assertEquals(1, tree.size());
        assertEquals(Map.of("s", 0), deliveries("a/b"));
        sub("$share/g/a/+", "m", 1);
        sub("$share/g/a/+", "m", 2);
        assertEquals(2, tree.size());
        assertEquals(Map.of("s", 0, "m", 2), deliveries("a/b"));
    }

    @Test
    void sharedGroupDeliversToOneMemberRoundRobin() {
        sub("$share/g/a/+", "m1", 1);
        sub("$share/g/a/+", "m2", 1);
        sub("$share/g/a/+", "m3", 2);
        assertEquals(List.of("m1", "m2", "m3", "m1", "m2", "m3", "m1"), picks("a/b", 7, s -> true));
        List<Integer> qos = new ArrayList<>();
        tree.match("a/x", (s, q) -> qos.add(q));
        assertEquals(List.of(1), qos); // m2's turn, at its own QoS
    }

    @Test
    void sharedGroupSkipsMembersThatAreNotReady() {
        sub("$share/g/a", "m1", 1);
        sub("$share/g/a", "m2", 1);
        sub("$share/g/a", "m3", 1);
        assertEquals(List.of("m1", "m3", "m1", "m3"), picks("a", 4, s -> !s.equals("m2")));
        assertEquals(List.of("m1", "m2", "m3"), picks("a", 3, s -> true)); // the turn resumes after m3
    }

    @Test
    void sharedGroupWithNobodyReadyStillPicksTheNextInTurn() {
        sub("$share/g/a", "m1", 1);
        sub("$share/g/a", "m2", 1);
        assertEquals(List.of("m1", "m2", "m1"), picks("a", 3, s -> false));
    }

    @Test
    void readyIsAskedInTurnOrderAndStopsAtTheFirstReady() {
        sub("$share/g/a", "m1", 1);
        sub("$share/g/a", "m2", 1);
        sub("$share/g/a", "m3", 1);
        List<String> asked = new ArrayList<>();
        tree.match("a", s -> asked.add(s) && s.equals("m2"), (s, q) -> { });
        assertEquals(List.of("m1", "m2"), asked);
    }

    @Test
    void groupsAreNamePlusFilter() {
        sub("$share/g/a/+", "m1", 1);
        sub("$share/g/a/#", "m2", 1);
        sub("$share/h/a/+", "m3", 1);
        sub("$share/g/a/+", "m4", 1);
        List<String> first = picks("a/b", 1, s -> true);
        assertEquals(3, first.size(), first::toString); // g on a/+, g on a/#, h on a/+
        assertTrue(first.containsAll(List.of("m1", "m2", "m3")), first::toString);
        List<String> second = picks("a/b", 1, s -> true);
        assertTrue(second.containsAll(List.of("m4", "m2", "m3")), second::toString);
        assertEquals(List.of("m2"), picks("a", 1, s -> true)); // only a/# matches the parent
    }

    @Test
    void sharedAndPlainSubscriptionsAreIndependent() {
        sub("a", "s", 0);
        sub("$share/g/a", "s", 2);
        List<String> calls = new ArrayList<>();
        tree.match("a", (s, q) -> calls.add(s + q));
        assertEquals(Set.of("s0", "s2"), Set.copyOf(calls));
        assertEquals(2, calls.size());
    }

    @Test
    void removingAMemberKeepsTheTurnOrder() {
        sub("$share/g/a", "m1", 1);
        sub("$share/g/a", "m2", 1);
        sub("$share/g/a", "m3", 1);
        assertEquals(List.of("m1", "m2"), picks("a", 2, s -> true));
        assertTrue(tree.unsubscribe(Filter.parse("$share/g/a"), "m1"));
        assertEquals(List.of("m3", "m2", "m3"), picks("a", 3, s -> true));
        assertTrue(tree.unsubscribe(Filter.parse("$share/g/a"), "m3"));
        assertEquals(List.of("m2", "m2"), picks("a", 2, s -> true));
        sub("$share/g/a", "m4", 1);
        assertEquals(List.of("m2", "m4", "m2"), picks("a", 3, s -> true));
    }

    @Test
    void unsubscribeRemovesOnlyThatSubscription() {
        sub("a/+", "s", 1);
        sub("a/+", "t", 1);
        sub("a/#", "s", 2);
        sub("$share/g/a/+", "s", 1);
        assertTrue(tree.unsubscribe(Filter.parse("a/#"), "s"));
        assertFalse(tree.unsubscribe(Filter.parse("a/#"), "s"));
        assertFalse(tree.unsubscribe(Filter.parse("a/b"), "s"));
        assertFalse(tree.unsubscribe(Filter.parse("a/+"), "nobody"));
        assertFalse(tree.unsubscribe(Filter.parse("$share/h/a/+"), "s"));
        assertEquals(3, tree.size());
        List<String> calls = new ArrayList<>();
        tree.match("a/b", (s, q) -> calls.add(s + q));
        assertEquals(Set.of("s1", "t1"), Set.copyOf(calls.subList(0, 2)));
        assertEquals(List.of("s1"), calls.subList(2, 3)); // the group
        assertTrue(tree.unsubscribe(Filter.parse("$share/g/a/+"), "s"));
        assertEquals(Map.of("s", 1, "t", 1), deliveries("a/b"));
    }

    @Test
    void unsubscribingEverythingEmptiesTheTree() {
        String[] filters = {"a/b/c", "a/b", "a/+/c", "a/#", "#", "+", "$share/g/a/b", "/", "//"};
        for (String f : filters) {
            sub(f, "s", 1);
        }
        assertEquals(filters.length, tree.size());
        for (String f : filters) {
            assertTrue(tree.unsubscribe(Filter.parse(f), "s"), f);
        }
        assertEquals(0, tree.size());
        for (String topic : new String[] {"a/b/c", "a/b", "a", "/", "//"}) {
            assertEquals(Map.of(), deliveries(topic), topic);
        }
        // and the pruned paths can be used again
        sub("a/b/c", "s", 2);
        assertEquals(Map.of("s", 2), deliveries("a/b/c"));
    }

    @Test
    void removeAllRemovesEverySubscriptionOfOneSubscriber() {
        sub("a/+", "s", 1);
        sub("#", "s", 1);
        sub("$share/g/a/b", "s", 1);
        sub("a/+", "t", 2);
        sub("$share/g/a/b", "t", 1);
        assertEquals(3, tree.removeAll("s"));
        assertEquals(0, tree.removeAll("s"));
        assertEquals(2, tree.size());
        List<String> calls = new ArrayList<>();
        tree.match("a/b", (s, q) -> calls.add(s + q));
        assertEquals(List.of("t2", "t1"), calls); // plain a/+, then the group's only member
        assertEquals(Map.of(), deliveries("b"));
    }

    @Test
    void aVisitorMaySubscribeAndUnsubscribe() {
        sub("a", "s", 1);
        tree.match("a", (s, q) -> {
            tree.unsubscribe(Filter.parse("a"), s);
            tree.subscribe(Filter.parse("b"), s, q);
        });
        assertEquals(Map.of(), deliveries("a"));
        assertEquals(Map.of("s", 1), deliveries("b"));
    }

    @Test
    void rejectsBadArguments() {
        Filter f = Filter.parse("a");
        assertThrows(IllegalArgumentException.class, () -> tree.subscribe(f, "s", 3));
        assertThrows(IllegalArgumentException.class, () -> tree.subscribe(f, "s", -1));
        assertThrows(NullPointerException.class, () -> tree.subscribe(f, null, 1));
        assertThrows(NullPointerException.class, () -> tree.subscribe(null, "s", 1));
        assertEquals(0, tree.size());
    }

    @Test
    void manySiblingsGrowAndShrinkTheLevelTable() {
        for (int i = 0; i < 1000; i++) {
            sub("t/" + i, "s" + i, i % 3);
        }
        assertEquals(1000, tree.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(Map.of("s" + i, i % 3), deliveries("t/" + i));
        }
        for (int i = 0; i < 1000; i += 2) {
            assertTrue(tree.unsubscribe(Filter.parse("t/" + i), "s" + i));
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals(i % 2 == 0 ? Map.of() : Map.of("s" + i, i % 3), deliveries("t/" + i));
        }
    }
}
