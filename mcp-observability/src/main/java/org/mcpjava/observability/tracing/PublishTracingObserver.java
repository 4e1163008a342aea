package org.mcpjava.observability.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;

/**
 * Records the server's receipt of every PUBLISH as a CONSUMER span, child of the publisher's
 * PRODUCER span when the PUBLISH carried TRACEPARENT. The span marks the moment of receipt (it
 * starts and ends there): routing and the store's commit follow asynchronously.
 */
final class PublishTracingObserver implements EngineObserver {
    private final Tracer tracer;

    PublishTracingObserver(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public void publishReceived(Connection connection, String topic, int qos, String traceparent, String tracestate) {
        Context parent = traceparent == null ? Context.root()
                : W3CTraceContextPropagator.getInstance().extract(Context.root(),
                        new String[] {traceparent, tracestate}, TraceMetadata.STRINGS);
        Span span = tracer.spanBuilder("receive")
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(SpanNames.MESSAGING_SYSTEM, SpanNames.SYSTEM)
                .setAttribute(SpanNames.MESSAGING_OPERATION, "receive")
                .setAttribute(SpanNames.DESTINATION, topic)
                .setAttribute(SpanNames.QOS, (long) qos)
                .startSpan();
        if (span.isRecording()) {
            span.setAttribute(SpanNames.SESSION_ID, connection.sessionId());
        }
        span.end();
    }
}
