package org.mcpjava.observability.tracing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides, before any OpenTelemetry call, whether work that arrived without trace context starts a
 * new trace. Work that is not chosen costs no span, no context and no allocation; work that
 * carries trace context is never gated here (the SDK's sampler follows the caller's decision).
 */
final class RootSampler {
    private final double ratio;

    RootSampler(double ratio) {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("root sample ratio must be 0-1: " + ratio);
        }
        this.ratio = ratio;
    }

    /** Whether this root starts a trace. Thread-safe, allocation-free. */
    boolean sample() {
        return ratio >= 1 || (ratio > 0 && ThreadLocalRandom.current().nextDouble() < ratio);
    }

    double ratio() {
        return ratio;
    }
}
