package org.mcpjava.observability.logging;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import org.mcpjava.core.Interceptor;
import org.mcpjava.core.Payload;
import org.mcpjava.core.Request;
import org.slf4j.MDC;

import java.net.SocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * The MDC keys of connection log fields, and an interceptor that sets them while a request's
 * handler runs on the calling thread, so the application's own log lines in handlers carry them.
 * The engine's lines need no interceptor (see {@link ConnectionJsonProvider}).
 */
public final class LogContext {
    /** MDC key and JSON field: the 16-byte session id as hex. */
    public static final String SESSION_ID = "session_id";
    /** MDC key and JSON field: the peer's address. */
    public static final String REMOTE = "remote";
    /** MDC key and JSON field: the client's CLIENT_ID, where known. */
    public static final String CLIENT_ID = "client_id";
    /** MDC key and JSON field: the W3C trace id (32 hex digits). */
    public static final String TRACE_ID = "trace_id";
    /** MDC key and JSON field: the W3C span id (16 hex digits). */
    public static final String SPAN_ID = "span_id";

    private static final Interceptor INTERCEPTOR = LogContext::intercept;

    private LogContext() {
    }

    /**
     * An interceptor that puts {@link #SESSION_ID}, {@link #REMOTE} and, when a span is current,
     * {@link #TRACE_ID} / {@link #SPAN_ID} into the MDC around the rest of the chain (the part that
     * runs on the calling thread). Register it after the tracing interceptor so the request's span
     * is current. Restores the previous values afterwards.
     */
    public static Interceptor interceptor() {
        return INTERCEPTOR;
    }

    private static CompletionStage<Payload> intercept(Request request, Interceptor.Chain chain) {
        String previousSession = MDC.get(SESSION_ID);
        String previousRemote = MDC.get(REMOTE);
        String previousTrace = MDC.get(TRACE_ID);
        String previousSpan = MDC.get(SPAN_ID);
        try {
            MDC.put(SESSION_ID, request.connection().sessionId());
            SocketAddress remote = request.remoteAddress();
            if (remote != null) {
                MDC.put(REMOTE, remote.toString());
            }
            SpanContext span = Span.current().getSpanContext();
            if (span.isValid()) {
                MDC.put(TRACE_ID, span.getTraceId());
                MDC.put(SPAN_ID, span.getSpanId());
            }
            return chain.proceed(request);
        } finally {
            restore(SESSION_ID, previousSession);
            restore(REMOTE, previousRemote);
            restore(TRACE_ID, previousTrace);
            restore(SPAN_ID, previousSpan);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
