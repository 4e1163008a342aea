package org.mcpjava.core;

import java.util.Map;

/**
 * Adds metadata to outbound REQUEST, NOTIFY and PUBLISH frames, e.g. W3C trace context
 * (TRACEPARENT, TRACESTATE). Called on the thread that makes the call, before the frame is built,
 * so it can read that thread's context (such as the current span). Must be cheap and thread-safe.
 */
@FunctionalInterface
public interface OutboundDecorator {
    /**
     * The metadata to add, key byte to UTF-8 value (e.g. {@code 0x02} TRACEPARENT), or an empty map
     * or {@code null} for none.
     *
     * @param kind   "request", "notify" or "publish"
     * @param name   the opcode as hex for requests and notifications, the topic for publishes
     */
    Map<Integer, String> metadata(String kind, String name);

    /**
     * An outbound REQUEST decorated with {@code metadata} (the very map {@link #metadata} returned
     * for it, when not null) finished: {@code code} 0 for a RESPONSE, else the error it failed with
     * (the peer's, or DEADLINE_EXCEEDED, CANCELLED, UNAVAILABLE decided here). Called exactly once
     * per such request, usually on the event loop, before the caller's future completes; e.g. to end
     * the client span the metadata carries. Never called for NOTIFY or PUBLISH. Must not block.
     */
    default void completed(Map<Integer, String> metadata, int code) {
    }
}
