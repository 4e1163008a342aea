package org.mcpjava.observability.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.core.Interceptor;
import org.mcpjava.core.OutboundDecorator;

import java.util.Objects;

/**
 * OpenTelemetry tracing for MCP, on the OpenTelemetry API only: which SDK, sampler and exporter run
 * (if any) is the application's choice, e.g. the SDK's autoconfiguration from {@code OTEL_*}
 * environment variables. Trace context crosses the wire as W3C {@code traceparent} /
 * {@code tracestate} in the TRACEPARENT (0x02) / TRACESTATE (0x03) metadata.
 *
 * <pre>{@code
 * McpTracing tracing = McpTracing.create(openTelemetry);
 * McpServer.builder().intercept(tracing.interceptor())          // SERVER span per inbound request
 *         .observer(tracing.publishObserver())                  // CONSUMER span per PUBLISH received
 *         .decorator(tracing.decorator())                       // for server-initiated calls
 * McpClient.builder().decorator(tracing.decorator())            // CLIENT / PRODUCER spans, propagation
 * }</pre>
 *
 * <p>When tracing is off, install none of these: the engine then does no tracing work at all.
 * Thread-safe.
 */
public final class McpTracing {
    /** The instrumentation scope name of the spans. */
    public static final String INSTRUMENTATION_SCOPE = "org.mcpjava";

    private final TracingDecorator decorator;
    private final TracingInterceptor interceptor;
    private final PublishTracingObserver publishObserver;

    private final double rootSampleRatio;

    private McpTracing(Tracer tracer, double rootSampleRatio) {
        OpcodeNames names = new OpcodeNames();
        ConnectionLabels labels = new ConnectionLabels();
        RootSampler roots = new RootSampler(rootSampleRatio);
        this.rootSampleRatio = rootSampleRatio;
        this.decorator = new TracingDecorator(tracer, names, roots);
        this.interceptor = new TracingInterceptor(tracer, names, labels, roots);
        this.publishObserver = new PublishTracingObserver(tracer, labels, roots);
    }

    /**
     * Tracing with {@code openTelemetry}'s tracer provider, where every request and publish without
     * trace context starts a trace (subject to the SDK's own sampler).
     */
    public static McpTracing create(OpenTelemetry openTelemetry) {
        return create(openTelemetry, 1.0);
    }

    /**
     * Tracing where a request, notification or publish that arrives (or is sent) without trace
     * context starts a trace with probability {@code rootSampleRatio} (0-1), decided before any
     * OpenTelemetry call, so the others cost nothing at all. Work that carries trace context always
     * continues its trace, and the SDK's sampler (parent-based by default) follows the caller's
     * decision. At high request rates this, not the SDK's ratio sampler (which still creates ids
     * and a span context for every dropped root), is the cheap way to sample.
     */
    public static McpTracing create(OpenTelemetry openTelemetry, double rootSampleRatio) {
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        return new McpTracing(openTelemetry.getTracer(INSTRUMENTATION_SCOPE), rootSampleRatio);
    }

    /** The probability that work without trace context starts a trace. */
    public double rootSampleRatio() {
        return rootSampleRatio;
    }

    /**
     * Starts a span for every outbound REQUEST (CLIENT, ended when the call completes), NOTIFY
     * (CLIENT) and PUBLISH (PRODUCER), child of the caller's current span, and sends its context.
     */
    public OutboundDecorator decorator() {
        return decorator;
    }

    /** Handles every inbound REQUEST and NOTIFY in a SERVER span, child of the requester's span. */
    public Interceptor interceptor() {
        return interceptor;
    }

    /**
     * Server side: a CONSUMER span for every PUBLISH received, child of the publisher's span. Also
     * lets the {@link #interceptor()} label spans without formatting the session id and peer address
     * per request; install it with the interceptor.
     */
    public EngineObserver publishObserver() {
        return publishObserver;
    }
}
