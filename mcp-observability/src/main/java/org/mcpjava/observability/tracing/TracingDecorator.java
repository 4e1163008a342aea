package org.mcpjava.observability.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import org.mcpjava.core.OutboundDecorator;
import org.mcpjava.wire.ErrorCode;

import java.util.Map;

/**
 * Starts the sending side's span of every outbound REQUEST, NOTIFY and PUBLISH, as a child of the
 * caller's current span, and writes its W3C trace context into TRACEPARENT / TRACESTATE. A
 * request's CLIENT span ends when the call completes ({@link #completed}); a NOTIFY's CLIENT span
 * and a PUBLISH's PRODUCER span end once the frame is handed over (they are one-way).
 */
final class TracingDecorator implements OutboundDecorator {
    private final Tracer tracer;

    TracingDecorator(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public Map<Integer, String> metadata(String kind, String name) {
        Context parent = Context.current();
        Span span;
        if ("publish".equals(kind)) {
            span = tracer.spanBuilder("publish")
                    .setParent(parent)
                    .setSpanKind(SpanKind.PRODUCER)
                    .setAttribute(SpanNames.MESSAGING_SYSTEM, SpanNames.SYSTEM)
                    .setAttribute(SpanNames.MESSAGING_OPERATION, "publish")
                    .setAttribute(SpanNames.DESTINATION, name)
                    .startSpan();
        } else {
            int opcode = parseOpcode(name);
            span = tracer.spanBuilder(SpanNames.request(opcode))
                    .setParent(parent)
                    .setSpanKind(SpanKind.CLIENT)
                    .setAttribute(SpanNames.RPC_SYSTEM, SpanNames.SYSTEM)
                    .setAttribute(SpanNames.RPC_METHOD, SpanNames.method(opcode))
                    .setAttribute(SpanNames.OPCODE, (long) opcode)
                    .startSpan();
        }
        boolean request = "request".equals(kind);
        TraceMetadata metadata = new TraceMetadata(request ? span : null);
        W3CTraceContextPropagator.getInstance().inject(parent.with(span), metadata, TraceMetadata.SETTER);
        if (!request) {
            span.end();
        }
        return metadata;
    }

    @Override
    public void completed(Map<Integer, String> metadata, int code) {
        if (metadata instanceof TraceMetadata && ((TraceMetadata) metadata).span != null) {
            Span span = ((TraceMetadata) metadata).span;
            if (code != 0) {
                span.setAttribute(SpanNames.ERROR_CODE, (long) code);
                span.setAttribute(SpanNames.ERROR_NAME, ErrorCode.nameOf(code));
                span.setStatus(StatusCode.ERROR, ErrorCode.nameOf(code));
            }
            span.end();
        }
    }

    private static int parseOpcode(String hex) {
        try {
            return Integer.parseInt(hex, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
