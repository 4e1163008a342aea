package org.mcpjava.observability.tracing;

import io.opentelemetry.context.propagation.TextMapGetter;
import org.mcpjava.core.Request;
import org.mcpjava.wire.MetadataKey;

import java.util.List;

/** Reads W3C trace context from an inbound request's TRACEPARENT / TRACESTATE metadata. */
final class RequestGetter implements TextMapGetter<Request> {
    static final RequestGetter INSTANCE = new RequestGetter();
    private static final List<String> KEYS = List.of(TraceMetadata.TRACEPARENT, TraceMetadata.TRACESTATE);

    @Override
    public Iterable<String> keys(Request carrier) {
        return KEYS;
    }

    @Override
    public String get(Request carrier, String key) {
        if (carrier == null) {
            return null;
        }
        if (TraceMetadata.TRACEPARENT.equals(key)) {
            return carrier.metadata(MetadataKey.TRACEPARENT.wire());
        }
        if (TraceMetadata.TRACESTATE.equals(key)) {
            return carrier.metadata(MetadataKey.TRACESTATE.wire());
        }
        return null;
    }
}
