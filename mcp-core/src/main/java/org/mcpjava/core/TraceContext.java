package org.mcpjava.core;

/**
 * W3C trace context as MCP carries it in TRACEPARENT (0x02) and TRACESTATE (0x03): what a
 * published message keeps on its way from the publisher through the broker (and its store) to
 * each subscriber. Immutable.
 *
 * <p>Both values are bounded, since the broker keeps one copy per queued message: a traceparent is
 * 55 characters today (longer future versions are allowed up to {@link #MAX_TRACEPARENT}), and a
 * tracestate may be cut by any hop (W3C asks for at least 512 characters to be propagated, which is
 * {@link #MAX_TRACESTATE}). {@link #of} applies the bounds to what arrives from the network.
 *
 * @param traceparent the W3C {@code traceparent}, never empty
 * @param tracestate  the W3C {@code tracestate}, or {@code null}
 */
public record TraceContext(String traceparent, String tracestate) {
    /** The longest traceparent carried, in characters. */
    public static final int MAX_TRACEPARENT = 256;
    /** The longest tracestate carried, in characters. */
    public static final int MAX_TRACESTATE = 512;

    /** @throws IllegalArgumentException for an empty or oversize traceparent or an oversize tracestate */
    public TraceContext {
        if (traceparent == null || traceparent.isEmpty() || traceparent.length() > MAX_TRACEPARENT) {
            throw new IllegalArgumentException("traceparent must be 1-" + MAX_TRACEPARENT + " characters: "
                    + (traceparent == null ? null : traceparent.length() + " characters"));
        }
        if (tracestate != null && tracestate.length() > MAX_TRACESTATE) {
            throw new IllegalArgumentException("tracestate must be at most " + MAX_TRACESTATE + " characters: "
                    + tracestate.length());
        }
    }

    /**
     * The trace context of received TRACEPARENT / TRACESTATE values, either possibly {@code null}:
     * {@code null} without a usable traceparent (absent, empty or oversize); an empty or oversize
     * tracestate is dropped, as W3C allows, and the traceparent kept.
     */
    public static TraceContext of(String traceparent, String tracestate) {
        if (traceparent == null || traceparent.isEmpty() || traceparent.length() > MAX_TRACEPARENT) {
            return null;
        }
        boolean keepState = tracestate != null && !tracestate.isEmpty() && tracestate.length() <= MAX_TRACESTATE;
        return new TraceContext(traceparent, keepState ? tracestate : null);
    }
}
