package org.mcpjava.resilience;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReconnectPolicyTest {
    private static Duration ms(double millis) {
        return Duration.ofNanos((long) (millis * 1_000_000));
    }

    @Test
    void defaultsAreOneSecondTimesOneAndAHalfCappedAtThirtyWithAPauseAfterTen() {
        ReconnectPolicy p = ReconnectPolicy.defaults();
        assertEquals(Duration.ofSeconds(1), p.initialDelay());
        assertEquals(1.5, p.multiplier());
        assertEquals(Duration.ofSeconds(30), p.maxDelay());
        List<Duration> expected = List.of(ms(1000), ms(1500), ms(2250), ms(3375), ms(5062.5), ms(7593.75),
                ms(11390.625), ms(17085.9375), ms(25628.90625), Duration.ofMinutes(2), ms(1000), ms(1500));
        for (int n = 1; n <= expected.size(); n++) {
            assertEquals(expected.get(n - 1).toMillis(), p.baseDelay(n).toMillis(), "failure " + n);
        }
    }

    @Test
    void exponentialPartStopsAtTheCap() {
        ReconnectPolicy p = ReconnectPolicy.defaults().pauseAfter(0, Duration.ofMinutes(2));
        assertEquals(ms(25628.90625).toMillis(), p.baseDelay(9).toMillis());
        for (int n = 10; n < 200; n++) {
            assertEquals(Duration.ofSeconds(30), p.baseDelay(n), "failure " + n);
        }
    }

    @Test
    void jitterStaysWithinItsBoundsAndUsesThem() {
        ReconnectPolicy p = ReconnectPolicy.defaults();
        for (int n = 1; n <= 12; n++) {
            long base = p.baseDelay(n).toNanos();
            assertEquals((long) (base * 0.8), p.delay(n, 0.0).toNanos(), "lowest, failure " + n);
            assertEquals(base, p.delay(n, 0.5).toNanos(), "middle, failure " + n);
            assertTrue(p.delay(n, Math.nextDown(1.0)).toNanos() <= (long) (base * 1.2), "highest, failure " + n);
        }
        SplittableRandom random = new SplittableRandom(42);
        long base = p.baseDelay(3).toNanos();
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 100_000; i++) {
            long d = p.delay(3, random.nextDouble()).toNanos();
            assertTrue(d >= base * 0.8 && d <= base * 1.2, "out of bounds: " + d);
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        // the whole range is used, not just a corner of it
        assertTrue(min < base * 0.81 && max > base * 1.19, "range used: " + min + ".." + max);
    }

    @Test
    void noJitterGivesTheBaseExactly() {
        ReconnectPolicy p = ReconnectPolicy.defaults().jitter(0);
        assertEquals(p.baseDelay(4), p.delay(4, 0.0));
        assertEquals(p.baseDelay(4), p.delay(4, 0.99));
    }

    @Test
    void badValuesAreRefusedByName() {
        ReconnectPolicy p = ReconnectPolicy.defaults();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.multiplier(0.5)).getMessage().contains("multiplier"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.jitter(1.5)).getMessage().contains("jitter"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.initialDelay(Duration.ZERO)).getMessage()
                .contains("initialDelay"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.maxDelay(Duration.ofMillis(10))).getMessage()
                .contains("maxDelay"));
        assertThrows(IllegalArgumentException.class, () -> p.baseDelay(0));
        assertThrows(IllegalArgumentException.class, () -> p.delay(1, 1.0));
    }
}
