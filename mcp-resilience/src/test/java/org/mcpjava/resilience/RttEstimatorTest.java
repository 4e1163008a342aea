package org.mcpjava.resilience;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The arithmetic of RFC 6298 section 2, and the timer backoff of section 5.5. */
class RttEstimatorTest {
    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @Test
    void beforeAnySampleTheRtoIsTheInitialOne() {
        RttEstimator e = new RttEstimator();
        assertNull(e.srtt());
        assertNull(e.rttvar());
        assertEquals(Duration.ofSeconds(1), e.rto());
        assertEquals(0, e.samples());
    }

    @Test
    void firstSampleSetsSrttAndHalfOfItAsVariation() {
        RttEstimator e = new RttEstimator(ms(1), ms(60_000), ms(1000));
        e.sample(ms(100));
        assertEquals(ms(100), e.srtt());
        assertEquals(ms(50), e.rttvar());
        assertEquals(ms(300), e.rto()); // 100 + 4 * 50
    }

    @Test
    void laterSamplesSmoothWithAlphaOneEighthAndBetaOneQuarter() {
        RttEstimator e = new RttEstimator(ms(1), ms(60_000), ms(1000));
        e.sample(ms(100));
        e.sample(ms(200));
        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5
        assertEquals(Duration.ofNanos(62_500_000), e.rttvar());
        assertEquals(Duration.ofNanos(112_500_000), e.srtt());
        assertEquals(Duration.ofNanos(362_500_000), e.rto());
        e.sample(ms(112));
        // RTTVAR = 3/4 * 62.5 + 1/4 * 0.5 = 47; SRTT = 7/8 * 112.5 + 1/8 * 112 = 112.4375
        assertEquals(Duration.ofNanos(47_000_000), e.rttvar());
        assertEquals(Duration.ofNanos(112_437_500), e.srtt());
        assertEquals(3, e.samples());
    }

    @Test
    void theRtoIsAtLeastTheGranularityAboveSrttAndWithinItsBounds() {
        RttEstimator e = new RttEstimator(ms(1), ms(60_000), ms(1000));
        for (int i = 0; i < 200; i++) {
            e.sample(ms(10)); // no variation at all
        }
        assertEquals(ms(10), e.srtt());
        assertEquals(ms(11), e.rto()); // SRTT + max(G = 1 ms, 4 * 0)
        RttEstimator rfc = new RttEstimator();
        rfc.sample(ms(10));
        assertEquals(Duration.ofSeconds(1), rfc.rto()); // rounded up to 1 s as the RFC says
        rfc.sample(Duration.ofSeconds(90));
        assertEquals(Duration.ofSeconds(60), rfc.rto()); // and at most the maximum
    }

    @Test
    void backoffDoublesUpToTheMaximumAndTheNextSampleRecomputes() {
        RttEstimator e = new RttEstimator(ms(100), ms(1000), ms(100));
        e.backoff();
        assertEquals(ms(200), e.rto());
        e.backoff();
        e.backoff();
        assertEquals(ms(800), e.rto());
        e.backoff();
        assertEquals(ms(1000), e.rto());
        e.sample(ms(20));
        assertEquals(ms(100), e.rto()); // 20 + 4 * 10 = 60, bounded below
    }

    @Test
    void inconsistentBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(ms(0), ms(10), ms(5)));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(ms(10), ms(5), ms(5)));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(ms(10), ms(100), ms(200)));
    }
}
