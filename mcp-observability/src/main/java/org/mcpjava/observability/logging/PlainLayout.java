package org.mcpjava.observability.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One human-readable line per event, for terminals:
 * {@code 12:00:01.234 WARN  [mcp-io-1] McpConnection [session=3f2a9c1e remote=/127.0.0.1:50412] - message}.
 * The bracket holds the connection fields (see {@link LogContext}) when the line has any; the
 * session id is shortened to 8 digits, the trace id to 16.
 */
public final class PlainLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private final ThrowableProxyConverter throwable = new ThrowableProxyConverter();

    @Override
    public void start() {
        throwable.setContext(getContext());
        throwable.start();
        super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(128);
        sb.append(TIME.format(Instant.ofEpochMilli(event.getTimeStamp()))).append(' ');
        String level = event.getLevel().toString();
        sb.append(level);
        for (int i = level.length(); i < 6; i++) {
            sb.append(' ');
        }
        sb.append('[').append(event.getThreadName()).append("] ");
        String logger = event.getLoggerName();
        sb.append(logger.substring(logger.lastIndexOf('.') + 1));
        LogFields f = LogFields.of(event.getMDCPropertyMap(), event.getArgumentArray());
        if (!f.isEmpty()) {
            sb.append(" [");
            int start = sb.length();
            field(sb, start, "session", f.sessionId, 8);
            field(sb, start, "client", f.clientId, 0);
            field(sb, start, "remote", f.remote, 0);
            field(sb, start, "trace", f.traceId, 16);
            sb.append(']');
        }
        sb.append(" - ").append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
        if (event.getThrowableProxy() != null) {
            sb.append(throwable.convert(event));
        }
        return sb.toString();
    }

    private static void field(StringBuilder sb, int start, String name, String value, int shorten) {
        if (value == null) {
            return;
        }
        if (sb.length() > start) {
            sb.append(' ');
        }
        sb.append(name).append('=').append(shorten > 0 && value.length() > shorten ? value.substring(0, shorten) : value);
    }
}
