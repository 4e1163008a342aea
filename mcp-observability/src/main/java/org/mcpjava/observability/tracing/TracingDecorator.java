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
 * and a PUBLISH's PRODUCER span end once the frame is handed over (they are one-way). A call made
 * outside any span starts a trace only if the {@link RootSampler} chooses it; otherwise nothing is
 * added and nothing is allocated.
 */
final class TracingDecorator implements OutboundDecorator {
    private final Tracer tracer;
    private final OpcodeNames names;
    private final RootSampler roots;

    TracingDecorator(Tracer tracer, OpcodeNames names, RootSampler roots) {
        this.tracer = tracer;
        this.names = names;
        this.roots = roots;
    }

    @Override
    public Map<Integer, String> metadata(String kind, String name) {
        Context parent = Context.current();
        if (!Span.fromContext(parent).getSpanContext().isValid() && !roots.sample()) {
            return null; // not part of a trace and not chosen to start one: nothing to add
        }
        Span span;
        if ("publish".equals(kind)) {
            span = tracer.spanBuilder("publish")
                    .setParent(parent)
                    .setSpanKind(SpanKind.PRODUCER)
                    .startSpan();
            if (span.isRecording()) {
                span.setAttribute(SpanNames.MESSAGING_SYSTEM, SpanNames.SYSTEM);
                span.setAttribute(SpanNames.MESSAGING_OPERATION, "publish");
                span.setAttribute(SpanNames.DESTINATION, name);
            }
        } else {
            int opcode = parseOpcode(name);
            span = tracer.spanBuilder(names.spanName(opcode))
                    .setParent(parent)
                    .setSpanKind(SpanKind.CLIENT)
                    .startSpan();
            if (span.isRecording()) {
                span.setAttribute(SpanNames.RPC_SYSTEM, SpanNames.SYSTEM);
                span.setAttribute(SpanNames.RPC_METHOD, names.method(opcode));
            }
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
