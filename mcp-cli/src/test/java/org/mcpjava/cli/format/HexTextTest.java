package org.mcpjava.cli.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HexTextTest {
    private static final byte[] MC01 = {0x4d, 0x43, 0x01, (byte) 0xff};

    @ParameterizedTest
    @ValueSource(strings = {"4d4301ff", "4D4301FF", "4d 43 01 ff", "4d:43:01:ff", "0x4d, 0x43, 0x01, 0xff",
        "0x4d4301ff", "  4d43\n01ff\t", "4d43 0X01fF", "4 d 4 3 0 1 f f"})
    void toleratesSeparatorsAndPrefixes(String text) {
        assertArrayEquals(MC01, HexText.parse(text));
    }

    @Test
    void emptyTextIsNoBytes() {
        assertEquals(0, HexText.parse(" \n").length);
    }

    @Test
    void badCharacterIsNamedWithItsPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HexText.parse("4d4g"));
        assertTrue(e.getMessage().contains("'g' at position 4"), e.getMessage());
    }

    @Test
    void xInsideAGroupIsNotAPrefix() {
        assertThrows(IllegalArgumentException.class, () -> HexText.parse("4d0x43"));
    }

    @Test
    void unprintableCharacterIsShownAsCodePoint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HexText.parse("4d\u0000"));
        assertTrue(e.getMessage().contains("U+0000"), e.getMessage());
    }

    @Test
    void oddDigitCountIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HexText.parse("4d4"));
        assertTrue(e.getMessage().contains("odd number of hex digits (3)"), e.getMessage());
    }
}
