package org.mcpjava.broker.topic;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mcpjava.core.McpException;
import org.mcpjava.wire.ErrorCode;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Validation of topic names and filters, and the matching table of {@link Topics#matches}. */
class TopicsTest {

    private static McpException assertTopicInvalid(Executable call) {
        McpException e = assertThrows(McpException.class, call);
        assertEquals(ErrorCode.TOPIC_INVALID, e.errorCode());
        assertEquals(17, e.code());
        return e;
    }

    // ------------------------------------------------------------------ topic names

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b/c", "/", "//", "/a", "a/", "a//b", " ", "caf\u00e9/\u20ac/\ud83d\ude00", "a$b", "a/$b"})
    void validTopicNames(String name) {
        assertDoesNotThrow(() -> Topics.validateTopicName(name, true));
        assertDoesNotThrow(() -> Topics.validateTopicName(name, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+", "a/+", "a+b", "#", "a/#", "a#", "a/\u0000", "\u0000", "bad\ud800", "\udc00x"})
    void invalidTopicNames(String name) {
        assertTopicInvalid(() -> Topics.validateTopicName(name, true));
        assertTopicInvalid(() -> Topics.validateTopicName(name, false));
    }

    @Test
    void nullTopicNameIsInvalid() {
        assertTopicInvalid(() -> Topics.validateTopicName(null, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"$SYS/broker/uptime", "$", "$share/g/a"})
    void dollarTopicsAreReservedForTheServer(String name) {
        McpException e = assertTopicInvalid(() -> Topics.validateTopicName(name, true));
        assertTrue(e.getMessage().contains(name), e.getMessage());
        assertDoesNotThrow(() -> Topics.validateTopicName(name, false));
    }

    @Test
    void topicNameLengthIsCountedInUtf8Bytes() {
        assertDoesNotThrow(() -> Topics.validateTopicName("a".repeat(1024), true));
        assertTopicInvalid(() -> Topics.validateTopicName("a".repeat(1025), true));
        // U+00E9 is 2 bytes, U+20AC 3 bytes, U+1F600 4 bytes (a surrogate pair)
        assertDoesNotThrow(() -> Topics.validateTopicName("\u00e9".repeat(512), true));
        assertTopicInvalid(() -> Topics.validateTopicName("\u00e9".repeat(512) + "a", true));
        assertTopicInvalid(() -> Topics.validateTopicName("\u20ac".repeat(342), true));
        assertDoesNotThrow(() -> Topics.validateTopicName("\ud83d\ude00".repeat(256), true));
        assertTopicInvalid(() -> Topics.validateTopicName("\ud83d\ude00".repeat(256) + "a", true));
    }

    @Test
    void errorMessageQuotesALongValueShortenedAndEscaped() {
        McpException e = assertTopicInvalid(() -> Topics.validateTopicName("\u0000" + "x".repeat(2000), false));
        assertTrue(e.getMessage().contains("\"\\u0000xxx"), e.getMessage());
        assertTrue(e.getMessage().contains("(2001 chars)"), e.getMessage());
        assertTrue(e.getMessage().length() < 300, e.getMessage());
    }

    @Test
    void utf8LengthMatchesTheEncoder() {
        for (String s : new String[] {"", "a", "\u00e9", "\u07ff", "\u0800", "\uffff", "\ud83d\ude00", "a\u00e9\u20ac\ud83d\ude00"}) {
            assertEquals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, Topics.utf8Length(s), s);
        }
        assertEquals(-1, Topics.utf8Length("\ud83d"));
        assertEquals(-1, Topics.utf8Length("\ude00\ud83d"));
    }

    // ------------------------------------------------------------------ filters

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b", "+", "#", "+/+", "a/+/c", "a/#", "+/#", "/", "/+", "+/", "//#", "a//+",
            "$SYS/#", "$shared/x", "x/$share/y", "a/$share", "caf\u00e9/#"})
    void validPlainFilters(String raw) {
        Filter f = Filter.parse(raw);
        assertFalse(f.isShared());
        assertNull(f.shareGroup());
        assertEquals(raw, f.filter());
        assertEquals(raw, f.raw());
        assertDoesNotThrow(() -> Topics.validateFilter(raw));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a+", "+a", "a/b+/c", "++", "a#", "#a", "#/a", "a/#/b", "##", "a/+#", "a/\u0000",
            "\ud800", "$share", "$share/", "$share/g", "$share//a", "$share/g/", "$share/g+/a", "$share/g#/a",
            "$share/+/a", "$share/#/a", "$share/g/a+", "$share/g/#/a", "$share/g/$share/h/a", "$share/g\u0000/a"})
    void invalidFilters(String raw) {
        assertTopicInvalid(() -> Filter.parse(raw));
        assertTopicInvalid(() -> Topics.validateFilter(raw));
    }

    @Test
    void nullFilterIsInvalid() {
        assertTopicInvalid(() -> Filter.parse(null));
    }

    @Test
    void filterLengthIsCountedInUtf8BytesOverTheWholeRawFilter() {
        assertDoesNotThrow(() -> Filter.parse("a/" + "b".repeat(1022)));
        assertTopicInvalid(() -> Filter.parse("a/" + "b".repeat(1023)));
        String shared = "$share/g/" + "b".repeat(1024 - 9);
        assertEquals(1024, shared.length());
        assertDoesNotThrow(() -> Filter.parse(shared));
        assertTopicInvalid(() -> Filter.parse(shared + "b"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "$share/g/a/+   | g   | a/+",
            "$share/g/#     | g   | #",
            "$share/g//a    | g   | /a",
            "$share/g/$SYS/#| g   | $SYS/#",
            "$share/$g/a    | $g  | a",
            "$share/g.h-1/a | g.h-1 | a",
    })
    void sharedFiltersSplitIntoGroupAndFilter(String raw, String group, String filter) {
        Filter f = Filter.parse(raw);
        assertTrue(f.isShared());
        assertEquals(raw, f.raw());
        assertEquals(group, f.shareGroup());
        assertEquals(filter, f.filter());
        assertEquals(raw, f.toString());
    }

    @Test
    void filtersAreEqualByRawText() {
        assertEquals(Filter.parse("a/+"), Filter.parse("a/+"));
        assertEquals(Filter.parse("a/+").hashCode(), Filter.parse("a/+").hashCode());
        assertNotEquals(Filter.parse("a/+"), Filter.parse("$share/g/a/+"));
        assertTrue(Filter.parse("a/+").hasWildcards());
        assertTrue(Filter.parse("$share/g/#").hasWildcards());
        assertFalse(Filter.parse("$share/g/a").hasWildcards());
    }

    // ------------------------------------------------------------------ matching

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', value = {
            "a/b/c   | a/b/c   | true",
            "a/b/c   | a/b     | false",
            "a/b     | a/b/c   | false",
            "a/b/c   | a/b/d   | false",
            "a/b     | a/bc    | false",
            "a/bc    | a/b     | false",
            "+       | a       | true",
            "+       | a/b     | false",
            "+       | /       | false",
            "+/+     | /       | true",
            "+       | /a      | false",
            "/+      | /a      | true",
            "+/a     | /a      | true",
            "a/+     | a/b     | true",
            "a/+     | a/      | true",
            "a/+     | a       | false",
            "a/+     | a/b/c   | false",
            "a/+/c   | a/b/c   | true",
            "a/+/c   | a//c    | true",
            "a//c    | a//c    | true",
            "a//c    | a/c     | false",
            "a/c     | a//c    | false",
            "'#'       | a       | true",
            "'#'       | a/b/c   | true",
            "'#'       | /       | true",
            "'#'       | /a      | true",
            "a/#     | a       | true",
            "a/#     | a/      | true",
            "a/#     | a/b     | true",
            "a/#     | a/b/c   | true",
            "a/#     | ab      | false",
            "a/#     | b/a     | false",
            "a/b/#   | a       | false",
            "a/+/#   | a       | false",
            "a/+/#   | a/b     | true",
            "a/+/#   | a/b/c/d | true",
            "+/#     | a       | true",
            "/#      | /       | true",
            "/#      | a       | false",
            "'#'       | $SYS/x  | false",
            "'#'       | $       | false",
            "+       | $SYS    | false",
            "+/x     | $SYS/x  | false",
            "+/#     | $SYS/x  | false",
            "$SYS/#  | $SYS/x  | true",
            "$SYS/#  | $SYS    | true",
            "$SYS/+  | $SYS/x  | true",
            "$SYS    | $SYS    | true",
            "a/$x/#  | a/$x/y  | true",
            "a/+     | a/$x    | true",
            "a/#     | a/$x    | true",
            "\u00e9/+ | \u00e9/\u20ac | true",
    })
    void matchingTable(String filter, String topic, boolean expected) {
        assertEquals(expected, Topics.matches(filter, topic));
        assertEquals(expected, Filter.parse(filter).matches(topic));
        assertEquals(expected, Filter.parse("$share/g/" + filter).matches(topic));
    }

    @Test
    void hasWildcards() {
        assertTrue(Topics.hasWildcards("a/+"));
        assertTrue(Topics.hasWildcards("#"));
        assertFalse(Topics.hasWildcards("a/b"));
    }
}
