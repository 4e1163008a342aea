package org.mcpjava.observability.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import net.logstash.logback.composite.AbstractJsonProvider;

import java.io.IOException;
import java.util.Map;

/**
 * A logstash-logback-encoder provider that writes the connection fields {@code session_id},
 * {@code remote}, {@code client_id}, {@code trace_id} and {@code span_id} of a line (see
 * {@link LogContext} for where they come from). Fields already in the MDC are left to the MDC
 * provider, so none is written twice.
 *
 * <pre>{@code
 * <encoder class="net.logstash.logback.encoder.LogstashEncoder">
 *   <provider class="org.mcpjava.observability.logging.ConnectionJsonProvider"/>
 * </encoder>
 * }</pre>
 */
public final class ConnectionJsonProvider extends AbstractJsonProvider<ILoggingEvent> {
    @Override
    public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
        Map<String, String> mdc = event.getMDCPropertyMap();
        LogFields f = LogFields.of(null, event.getArgumentArray());
        if (f.isEmpty()) {
            return;
        }
        write(generator, mdc, LogContext.SESSION_ID, f.sessionId);
        write(generator, mdc, LogContext.REMOTE, f.remote);
        write(generator, mdc, LogContext.CLIENT_ID, f.clientId);
        write(generator, mdc, LogContext.TRACE_ID, f.traceId);
        write(generator, mdc, LogContext.SPAN_ID, f.spanId);
    }

    private static void write(JsonGenerator generator, Map<String, String> mdc, String field, String value)
            throws IOException {
        if (value != null && (mdc == null || !mdc.containsKey(field))) {
            generator.writeStringField(field, value);
        }
    }
}
