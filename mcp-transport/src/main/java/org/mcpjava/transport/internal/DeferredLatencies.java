package org.mcpjava.transport.internal;

import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;

import java.util.Arrays;

/**
 * Requests answered during one read, whose latencies are reported when the read ends and the
 * answers are flushed: one clock read for the whole read instead of one per request. A request's
 * latency then runs from the read that brought it to the flush that sends its answer, which is
 * what its requester waits for on this side. Confined to the connection's event loop; no allocation
 * once the arrays have grown to the largest read.
 */
final class DeferredLatencies {
    private int[] opcodes = new int[32];
    private int[] codes = new int[32];
    private long[] starts = new long[32];
    private int size;

    void add(int opcode, int code, long startNanos) {
        if (size == opcodes.length) {
            opcodes = Arrays.copyOf(opcodes, size * 2);
            codes = Arrays.copyOf(codes, size * 2);
            starts = Arrays.copyOf(starts, size * 2);
        }
        opcodes[size] = opcode;
        codes[size] = code;
        starts[size] = startNanos;
        size++;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Reports every deferred request as answered at {@code nowNanos}, and forgets them. */
    void report(EngineObserver observer, Connection connection, long nowNanos) {
        int n = size;
        size = 0;
        for (int i = 0; i < n; i++) {
            observer.requestHandled(connection, opcodes[i], nowNanos - starts[i], codes[i]);
        }
    }
}
