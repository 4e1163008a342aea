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

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Handles every inbound REQUEST and NOTIFY in a SERVER span whose parent is the trace context the
 * requester sent in TRACEPARENT / TRACESTATE (a new trace if it sent none). The span is current
 * while the rest of the chain runs on this thread, so the handler's own spans and log lines join
 * the trace; it ends when the handler's stage completes, with ERROR status and the code if it failed.
 */
final class TracingInterceptor implements Interceptor {
    private final Tracer tracer;

    TracingInterceptor(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public CompletionStage<Payload> intercept(Request request, Chain chain) {
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), request, RequestGetter.INSTANCE);
        int opcode = request.opcode();
        Span span = tracer.spanBuilder(SpanNames.request(opcode))
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(SpanNames.RPC_SYSTEM, SpanNames.SYSTEM)
                .setAttribute(SpanNames.RPC_METHOD, SpanNames.method(opcode))
                .setAttribute(SpanNames.OPCODE, (long) opcode)
                .startSpan();
        if (span.isRecording()) {
            span.setAttribute(SpanNames.SESSION_ID, request.connection().sessionId());
            Object remote = request.remoteAddress();
            if (remote != null) {
                span.setAttribute(SpanNames.PEER_ADDRESS, remote.toString());
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
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private static void end(Span span, Throwable error) {
        if (error != null) {
            McpException mcp = McpException.find(error);
            int code = mcp != null ? mcp.code() : ErrorCode.INTERNAL.code();
            span.setAttribute(SpanNames.ERROR_CODE, (long) code);
            span.setAttribute(SpanNames.ERROR_NAME, ErrorCode.nameOf(code));
            span.setStatus(StatusCode.ERROR, ErrorCode.nameOf(code));
            if (mcp == null) {
                span.recordException(error);
            }
        }
        span.end();
    }
}
