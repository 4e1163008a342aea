package org.mcpjava.observability.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Latency timers by opcode and result code, found with two array lookups: no map, no boxing and
 * no allocation once a timer exists. The first {@code maxOpcodes} distinct opcodes get their own
 * series; later ones share {@code opcode="other"}, so a peer sending random opcodes cannot grow the
 * registry without bound.
 *
 * <p>Thread-safe. Reads race benignly with creation: a reader that sees no timer takes the
 * synchronized slow path, where the registry returns the timer already registered for the id.
 */
final class OpcodeTimers {
    /** Histogram buckets for request latency: 50 us to 10 s. */
    static final Duration[] BUCKETS = {
        Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10),
    };
    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final int maxOpcodes;
    /** Index: opcode (0-0xFFFF); opcodes past the limit share the "other" series. */
    private final Series[] byOpcode = new Series[0x10000];
    private Series other;
    private int distinct;

    /** The timers of one opcode tag, by code slot. */
    private static final class Series {
        final String opcodeTag;
        final Timer[] bySlot = new Timer[CodeSlots.COUNT];

        Series(String opcodeTag) {
            this.opcodeTag = opcodeTag;
        }
    }

    OpcodeTimers(MeterRegistry registry, String name, String description, int maxOpcodes) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.maxOpcodes = maxOpcodes;
    }

    /** Records {@code nanos} for {@code opcode} (0-0xFFFF) answered or failed with {@code code}. */
    void record(int opcode, int code, long nanos) {
        int slot = CodeSlots.slot(code);
        Series s = byOpcode[opcode & 0xFFFF];
        Timer t = s == null ? null : s.bySlot[slot];
        if (t == null) {
            t = create(opcode & 0xFFFF, slot);
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    private synchronized Timer create(int opcode, int slot) {
        Series s = byOpcode[opcode];
        if (s == null) {
            if (distinct < maxOpcodes) {
                distinct++;
                s = new Series(String.format(Locale.ROOT, "0x%04X", opcode));
            } else {
                if (other == null) {
                    other = new Series("other");
                }
                s = other;
            }
        }
        Timer t = s.bySlot[slot];
        if (t == null) {
            t = Timer.builder(name)
                    .description(description)
                    .tag("opcode", s.opcodeTag)
                    .tag("code", CodeSlots.resultName(slot))
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
            s.bySlot[slot] = t;
        }
        byOpcode[opcode] = s; // after its timer is in it, so a reader that finds the series mostly finds the timer
        return t;
    }
}
