package org.mcpjava.observability.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.mcpjava.core.Interceptor;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.core.Request;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.MetadataKey;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Handles inbound REQUEST and NOTIFY in a SERVER span whose parent is the trace context the
 * requester sent in TRACEPARENT / TRACESTATE. A request without trace context starts a new trace
 * only if the {@link RootSampler} chooses it; otherwise it passes through untouched (no span, no
 * allocation). The span is current while the rest of the chain runs on this thread, so the
 * handler's own spans and log lines join the trace; it ends when the handler's stage completes,
 * with ERROR status and the code if it failed.
 */
final class TracingInterceptor implements Interceptor {
    private static final int TRACEPARENT = MetadataKey.TRACEPARENT.wire();
    private static final int TRACESTATE = MetadataKey.TRACESTATE.wire();

    private final Tracer tracer;
    private final OpcodeNames names;
    private final ConnectionLabels labels;
    private final RootSampler roots;

    TracingInterceptor(Tracer tracer, OpcodeNames names, ConnectionLabels labels, RootSampler roots) {
        this.tracer = tracer;
        this.names = names;
        this.labels = labels;
        this.roots = roots;
    }

    @Override
    public CompletionStage<Payload> intercept(Request request, Chain chain) {
        String traceparent = request.metadata(TRACEPARENT);
        if (traceparent == null && !roots.sample()) {
            return chain.proceed(request);
        }
        Context parent = traceparent == null ? Context.root()
                : W3CTraceContextPropagator.getInstance().extract(Context.root(),
                        new String[] {traceparent, request.metadata(TRACESTATE)}, TraceMetadata.STRINGS);
        int opcode = request.opcode();
        Span span = tracer.spanBuilder(names.spanName(opcode))
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .startSpan();
        if (span.isRecording()) {
            // Attributes only for spans that are kept: an unsampled request costs no attribute work.
            span.setAttribute(SpanNames.RPC_SYSTEM, SpanNames.SYSTEM);
            span.setAttribute(SpanNames.RPC_METHOD, names.method(opcode));
            ConnectionLabels.Labels l = labels.of(request.connection());
            span.setAttribute(SpanNames.SESSION_ID, l.sessionId());
            if (l.peer() != null) {
                span.setAttribute(SpanNames.PEER_ADDRESS, l.peer());
            }
        }
        CompletionStage<Payload> stage;
        try (Scope ignored = span.makeCurrent()) {
            stage = chain.proceed(request);
        } catch (RuntimeException e) {
            end(span, e);
            throw e;
        }
        if (stage instanceof CompletableFuture && ((CompletableFuture<Payload>) stage).isDone()) {
            // Answered at once: no completion callback needed.
            CompletableFuture<Payload> done = (CompletableFuture<Payload>) stage;
            end(span, done.isCompletedExceptionally() ? failure(done) : null);
            return stage;
        }
        return stage.whenComplete((payload, error) -> end(span, error));
    }

    private static Throwable failure(CompletableFuture<Payload> done) {
        try {
            done.join();
            return null;
        } catch (CompletionException | CancellationException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private static void end(Span span, Throwable error) {
        if (error != null && span.isRecording()) {
            McpException mcp = McpException.find(error);
            int code = mcp != null ? mcp.code() : ErrorCode.INTERNAL.code();
            span.setAttribute(SpanNames.ERROR_CODE, code);
            span.setAttribute(SpanNames.ERROR_NAME, ErrorCode.nameOf(code));
            span.setStatus(StatusCode.ERROR, ErrorCode.nameOf(code));
            if (mcp == null) {
                span.recordException(error);
            }
        }
        span.end();
    }
}
