package org.mcpjava.observability.logging;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import org.mcpjava.broker.Session;
import org.mcpjava.core.Connection;

import java.net.SocketAddress;
import java.util.Map;

/**
 * The connection fields of one log line: session id, remote address, client id, trace and span id.
 * Found, in this order, in the line's MDC (set by {@link LogContext} or the application), in its
 * arguments (the engine logs its {@link Connection} or broker {@link Session} as the first
 * argument of every line about one), and for the trace in the OpenTelemetry span current on the
 * logging thread. So engine lines carry them with no work on the hot path.
 */
final class LogFields {
    String sessionId;
    String remote;
    String clientId;
    String traceId;
    String spanId;

    private LogFields() {
    }

    /** The fields of a line with {@code mdc} (may be null or empty) and {@code args} (may be null). */
    static LogFields of(Map<String, String> mdc, Object[] args) {
        LogFields f = new LogFields();
        if (mdc != null && !mdc.isEmpty()) {
            f.sessionId = mdc.get(LogContext.SESSION_ID);
            f.remote = mdc.get(LogContext.REMOTE);
            f.clientId = mdc.get(LogContext.CLIENT_ID);
            f.traceId = mdc.get(LogContext.TRACE_ID);
            f.spanId = mdc.get(LogContext.SPAN_ID);
        }
        if (args != null) {
            for (Object a : args) {
                if (a instanceof Connection) {
                    Connection c = (Connection) a;
                    String id = c.sessionId();
                    if (f.sessionId == null && id != null && !id.isEmpty()) {
                        f.sessionId = id;
                    }
                    SocketAddress remote = c.remoteAddress();
                    if (f.remote == null && remote != null) {
                        f.remote = remote.toString();
                    }
                    break;
                }
                if (a instanceof Session) {
                    Session s = (Session) a;
                    if (f.sessionId == null) {
                        f.sessionId = s.idHex();
                    }
                    if (f.clientId == null) {
                        f.clientId = s.clientId();
                    }
                    break;
                }
            }
        }
        if (f.traceId == null) {
            SpanContext span = Span.current().getSpanContext();
            if (span.isValid()) {
                f.traceId = span.getTraceId();
                f.spanId = span.getSpanId();
            }
        }
        return f;
    }

    boolean isEmpty() {
        return sessionId == null && remote == null && clientId == null && traceId == null;
    }
}
