package org.mcpjava.observability.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import java.util.Locale;

/**
 * Latency histograms by opcode and result code ({@link LatencyFamily}), found with two array
 * lookups: no map, no boxing and no allocation once a series exists. The first {@code maxOpcodes}
 * distinct opcodes get their own series; later ones share {@code opcode="other"}, so a peer sending
 * random opcodes cannot grow the registry without bound.
 *
 * <p>Thread-safe. Reads race benignly with creation: a reader that sees no recorder takes the
 * synchronized slow path, which returns the one already created.
 */
final class OpcodeTimers {
    private final LatencyFamily family;
    private final int maxOpcodes;
    /** Index: opcode (0-0xFFFF); opcodes past the limit share the "other" series. */
    private final Series[] byOpcode = new Series[0x10000];
    private Series other;
    private int distinct;

    /** The recorders of one opcode tag, by code slot. */
    private static final class Series {
        final String opcodeTag;
        final LatencyFamily.Recorder[] bySlot = new LatencyFamily.Recorder[CodeSlots.COUNT];

        Series(String opcodeTag) {
            this.opcodeTag = opcodeTag;
        }
    }

    OpcodeTimers(MeterRegistry registry, String name, String description, int maxOpcodes) {
        this.family = LatencyFamily.of(registry, name, description);
        this.maxOpcodes = maxOpcodes;
    }

    /** Records {@code nanos} for {@code opcode} (0-0xFFFF) answered or failed with {@code code}. */
    void record(int opcode, int code, long nanos) {
        int slot = CodeSlots.slot(code);
        Series s = byOpcode[opcode & 0xFFFF];
        LatencyFamily.Recorder r = s == null ? null : s.bySlot[slot];
        if (r == null) {
            r = create(opcode & 0xFFFF, slot);
        }
        r.record(nanos);
    }

    private synchronized LatencyFamily.Recorder create(int opcode, int slot) {
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
        LatencyFamily.Recorder r = s.bySlot[slot];
        if (r == null) {
            r = family.recorder(s.opcodeTag, CodeSlots.resultName(slot));
            s.bySlot[slot] = r;
        }
        byOpcode[opcode] = s; // after its recorder is in it, so a reader that finds the series mostly finds it
        return r;
    }
}
