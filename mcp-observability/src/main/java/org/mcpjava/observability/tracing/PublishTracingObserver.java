package org.mcpjava.observability.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.core.TraceContext;

/**
 * Records the server's receipt of every PUBLISH as a CONSUMER span, child of the publisher's
 * PRODUCER span when the PUBLISH carried TRACEPARENT. The span marks the moment of receipt (it
 * starts and ends there): routing and the store's commit follow asynchronously. The deliveries to
 * subscribers carry this span's context, so that their spans are its children. Also keeps the
 * connections' span attributes ({@link ConnectionLabels}) current for the interceptor.
 */
final class PublishTracingObserver implements EngineObserver {
    private final Tracer tracer;
    private final ConnectionLabels labels;
    private final RootSampler roots;

    PublishTracingObserver(Tracer tracer, ConnectionLabels labels, RootSampler roots) {
        this.tracer = tracer;
        this.labels = labels;
        this.roots = roots;
    }

    @Override
    public void connectionEstablished(Connection connection) {
        labels.connectionEstablished(connection);
    }

    @Override
    public void connectionClosed(Connection connection, int code) {
        labels.connectionClosed(connection, code);
    }

    @Override
    public void publishReceived(Connection connection, String topic, int qos, String traceparent, String tracestate) {
        publishTraceContext(connection, topic, qos, TraceContext.of(traceparent, tracestate));
    }

    /** Records the span; returns its context for the deliveries when it is sampled, else {@code received}. */
    @Override
    public TraceContext publishTraceContext(Connection connection, String topic, int qos, TraceContext received) {
        if (received == null && !roots.sample()) {
            return null;
        }
        Context parent = received == null ? Context.root()
                : W3CTraceContextPropagator.getInstance().extract(Context.root(),
                        new String[] {received.traceparent(), received.tracestate()}, TraceMetadata.STRINGS);
        Span span = tracer.spanBuilder("receive")
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .startSpan();
        if (span.isRecording()) {
            span.setAttribute(SpanNames.MESSAGING_SYSTEM, SpanNames.SYSTEM);
            span.setAttribute(SpanNames.MESSAGING_OPERATION, "receive");
            span.setAttribute(SpanNames.DESTINATION, topic);
            span.setAttribute(SpanNames.QOS, qos);
            span.setAttribute(SpanNames.SESSION_ID, labels.of(connection).sessionId());
        }
        span.end();
        if (!span.getSpanContext().isSampled()) {
            return received; // no span of ours is exported: subscribers continue from the publisher's
        }
        String[] carrier = new String[2];
        W3CTraceContextPropagator.getInstance().inject(parent.with(span), carrier, TraceMetadata.STRINGS_SETTER);
        return TraceContext.of(carrier[0], carrier[1]);
    }
}
