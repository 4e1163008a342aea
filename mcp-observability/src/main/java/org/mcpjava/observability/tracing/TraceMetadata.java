package org.mcpjava.observability.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import org.mcpjava.wire.MetadataKey;

import java.util.HashMap;
import java.util.List;

/**
 * The metadata the tracing decorator adds to an outbound frame (TRACEPARENT, TRACESTATE), carrying
 * the client span of a request so that {@code OutboundDecorator.completed} can end it. Written once
 * on the caller's thread, then only read.
 */
final class TraceMetadata extends HashMap<Integer, String> {
    private static final long serialVersionUID = 1L;
    static final String TRACEPARENT = "traceparent";
    static final String TRACESTATE = "tracestate";

    /** Writes the W3C header names into their MCP metadata keys. */
    static final TextMapSetter<TraceMetadata> SETTER = (carrier, key, value) -> {
        if (carrier == null) {
            return;
        }
        if (TRACEPARENT.equals(key)) {
            carrier.put(MetadataKey.TRACEPARENT.wire(), value);
        } else if (TRACESTATE.equals(key)) {
            carrier.put(MetadataKey.TRACESTATE.wire(), value);
        }
    };

    /** Writes trace context into two strings, index 0 traceparent, 1 tracestate (as {@link #STRINGS} reads them). */
    static final TextMapSetter<String[]> STRINGS_SETTER = (carrier, key, value) -> {
        if (carrier == null) {
            return;
        }
        if (TRACEPARENT.equals(key)) {
            carrier[0] = value;
        } else if (TRACESTATE.equals(key)) {
            carrier[1] = value;
        }
    };

    /** Reads trace context from two strings (a PUBLISH's metadata), index 0 traceparent, 1 tracestate. */
    static final TextMapGetter<String[]> STRINGS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String[] carrier) {
            return List.of(TRACEPARENT, TRACESTATE);
        }

        @Override
        public String get(String[] carrier, String key) {
            if (carrier == null) {
                return null;
            }
            return TRACEPARENT.equals(key) ? carrier[0] : TRACESTATE.equals(key) ? carrier[1] : null;
        }
    };

    /** The client span to end when the request completes, or {@code null}. */
    final transient Span span;

    TraceMetadata(Span span) {
        super(4);
        this.span = span;
    }
}
