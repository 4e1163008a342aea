package org.mcpjava.broker.topic;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mcpjava.core.McpException;
import org.mcpjava.wire.ErrorCode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property tests: {@link TopicTree#match} against the naive matcher ({@link Topics#matches} over
 * every subscription), {@link Topics#matches} against a regular-expression reference, and
 * {@link Filter#parse} against a split-based reference validator. Topics and filters come from a
 * small alphabet of levels ({@code a, b, c, "", $x} plus {@code +} and {@code #}) so that matches,
 * overlaps and the {@code $} rule are common.
 *
 * <p>Named {@code *Test} so that surefire's default includes run it. Seeds are fixed so that a build is reproducible; change a seed locally to explore further.
 */
class TopicPropertiesTest {
    private static final List<String> LEVELS = List.of("a", "b", "c", "", "$x");
    private static final int SUBSCRIBERS = 4;

    /** One step of a scenario: subscribe (or unsubscribe) {@code subscriber} to {@code filter}. */
    record Op(boolean unsubscribe, String filter, int subscriber, int qos) {
        Filter parsed() {
            return Filter.parse(filter);
        }

        /**
         * The subscriber's name. Share group members are named after the group's filter so that
         * a delivery says which group it came from.
         */
        String name() {
            return parsed().isShared() ? filter + "|s" + subscriber : "s" + subscriber;
        }
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<String> topics() {
        return Arbitraries.of(LEVELS).list().ofMinSize(1).ofMaxSize(4)
                .map(levels -> String.join("/", levels))
                .filter(t -> !t.isEmpty());
    }

    @Provide
    Arbitrary<List<String>> topicLists() {
        return topics().list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<String> plainFilters() {
        Arbitrary<List<String>> levels = Arbitraries.of("a", "b", "c", "", "$x", "+").list().ofMinSize(0).ofMaxSize(4);
        return Combinators.combine(levels, Arbitraries.of(false, true)).as((l, hash) -> {
            List<String> all = new ArrayList<>(l);
            if (hash || all.isEmpty()) {
                all.add("#");
            }
            return String.join("/", all);
        }).filter(f -> !f.isEmpty());
    }

    @Provide
    Arbitrary<List<Op>> scenarios() {
        Arbitrary<String> share = Arbitraries.of("", "", "", "$share/g/", "$share/h/");
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.integers().between(0, 4).map(i -> i == 0),
                Combinators.combine(share, plainFilters()).as(String::concat),
                Arbitraries.integers().between(0, SUBSCRIBERS - 1),
                Arbitraries.integers().between(0, 2)).as(Op::new);
        return op.list().ofMaxSize(16);
    }

    @Provide
    Arbitrary<String> filterLike() {
        Arbitrary<String> body = Arbitraries.strings().withChars("ab/+#$").ofMaxLength(8);
        return Combinators.combine(Arbitraries.of("", "", "$share/", "$share/g/", "$share"), body).as(String::concat);
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = 2000, seed = "20250101")
    void treeMatchesLikeTheNaiveMatcher(@ForAll("scenarios") List<Op> ops, @ForAll("topicLists") List<String> topics) {
        TopicTree<String> tree = new TopicTree<>();
        // model: (raw filter, subscriber name) -> qos, in subscription order
        Map<List<String>, Integer> model = new LinkedHashMap<>();
        for (Op op : ops) {
            List<String> key = List.of(op.filter(), op.name());
            if (op.unsubscribe()) {
                assertEquals(model.remove(key) != null, tree.unsubscribe(op.parsed(), op.name()), op::toString);
            } else {
                tree.subscribe(op.parsed(), op.name(), op.qos());
                model.put(key, op.qos());
            }
        }
        assertEquals(model.size(), tree.size());

        for (String topic : topics) {
            Map<String, Integer> expectedPlain = new HashMap<>();
            Map<String, Map<String, Integer>> expectedGroups = new HashMap<>(); // raw filter -> member -> qos
            model.forEach((key, qos) -> {
                Filter f = Filter.parse(key.get(0));
                if (Topics.matches(f.filter(), topic)) {
                    if (f.isShared()) {
                        expectedGroups.computeIfAbsent(f.raw(), k -> new HashMap<>()).put(key.get(1), qos);
                    } else {
                        expectedPlain.merge(key.get(1), qos, Math::max);
                    }
                }
            });

            Map<String, Integer> plain = new HashMap<>();
            Set<String> groups = new HashSet<>();
            tree.match(topic, (s, qos) -> {
                int bar = s.indexOf('|');
                if (bar < 0) {
                    assertNull(plain.put(s, qos), () -> s + " twice for " + topic);
                } else {
                    String group = s.substring(0, bar);
                    assertTrue(groups.add(group), () -> "group " + group + " twice for " + topic);
                    Map<String, Integer> members = expectedGroups.get(group);
                    assertNotNull(members, () -> "group " + group + " does not match " + topic);
                    assertEquals(members.get(s), qos, s);
                }
            });
            assertEquals(expectedPlain, plain, topic);
            assertEquals(expectedGroups.keySet(), groups, topic);
        }
    }

    @Property(tries = 3000, seed = "20250102")
    void matchesAgreesWithARegularExpression(@ForAll("plainFilters") String filter, @ForAll("topics") String topic) {
        assertEquals(regexMatches(filter, topic), Topics.matches(filter, topic), () -> filter + " ~ " + topic);
    }

    @Property(tries = 3000, seed = "20250103")
    void parseAcceptsExactlyTheValidFilters(@ForAll("filterLike") String raw) {
        boolean valid = referenceValid(raw);
        try {
            Filter f = Filter.parse(raw);
            assertTrue(valid, () -> "accepted " + raw);
            assertEquals(raw, f.raw());
            assertEquals(raw, f.isShared() ? "$share/" + f.shareGroup() + "/" + f.filter() : f.filter());
        } catch (McpException e) {
            assertEquals(ErrorCode.TOPIC_INVALID, e.errorCode());
            if (valid) {
                fail("rejected " + raw + ": " + e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ references

    /** MQTT matching as a regular expression: '+' is [^/]*, a trailing '/#' is (/.*)?, '#' alone is .* */
    static boolean regexMatches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals("#")) {
                re.append(i == 0 ? ".*" : "(/.*)?");
                break;
            }
            if (i > 0) {
                re.append('/');
            }
            re.append(level.equals("+") ? "[^/]*" : Pattern.quote(level));
        }
        return Pattern.matches(re.toString(), topic);
    }

    /** The filter rules restated over split levels. */
    static boolean referenceValid(String raw) {
        if (raw.isEmpty() || raw.length() > Topics.MAX_BYTES) {
            return false;
        }
        String filter = raw;
        if (raw.startsWith("$share/")) {
            String rest = raw.substring("$share/".length());
            int slash = rest.indexOf('/');
            if (slash <= 0) {
                return false;
            }
            String group = rest.substring(0, slash);
            if (group.contains("+") || group.contains("#")) {
                return false;
            }
            filter = rest.substring(slash + 1);
        }
        if (filter.isEmpty()) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        if (levels[0].equals("$share")) {
            return false;
        }
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("+") && !level.equals("+")) {
                return false;
            }
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return false;
            }
        }
        return true;
    }
}
