package org.mcpjava.observability.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A latency histogram with {@code opcode} and {@code code} labels. In a Prometheus registry it is a
 * native Prometheus histogram of adders ({@link PrometheusLatencyFamily}): a record costs a bucket
 * search and two adder increments, several times less than a Micrometer timer with buckets, which
 * matters at one record per request. In any other registry it is a Micrometer {@link Timer} with
 * the same buckets. Both export {@code <name>_seconds_bucket / _count / _sum}.
 */
abstract class LatencyFamily {
    /** Histogram bucket bounds: 50 us to 10 s. */
    static final Duration[] BUCKETS = {
        Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10),
    };

    /** Records one latency of a series. Thread-safe, allocation-free. */
    interface Recorder {
        void record(long nanos);
    }

    /** The series of {@code opcode} and {@code code}, created on first use. Not for the hot path. */
    abstract Recorder recorder(String opcode, String code);

    /**
     * The family {@code name} (Micrometer's dotted form, e.g. {@code mcp.requests}) in
     * {@code registry}.
     */
    static LatencyFamily of(MeterRegistry registry, String name, String description) {
        if (registry instanceof PrometheusMeterRegistry) {
            return new PrometheusLatencyFamily((PrometheusMeterRegistry) registry,
                    name.replace('.', '_') + "_seconds", description, BUCKETS);
        }
        return new MicrometerLatencyFamily(registry, name, description);
    }

    /** Micrometer timers, for registries other than Prometheus. */
    private static final class MicrometerLatencyFamily extends LatencyFamily {
        private final MeterRegistry registry;
        private final String name;
        private final String description;

        MicrometerLatencyFamily(MeterRegistry registry, String name, String description) {
            this.registry = registry;
            this.name = name;
            this.description = description;
        }

        @Override
        Recorder recorder(String opcode, String code) {
            Timer t = Timer.builder(name).description(description).tag("opcode", opcode).tag("code", code)
                    .serviceLevelObjectives(BUCKETS).register(registry);
            return nanos -> t.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
