package org.mcpjava.observability.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.util.Locale;

/**
 * Configures logback for a server process: one appender, JSON ({@link LogFormat#JSON}, the
 * server's default) or plain lines, at a root level. Leaves logback alone when the operator points
 * it at a file of their own ({@code -Dlogback.configurationFile=...}).
 */
public final class LoggingSetup {
    /** The system property with which an operator takes over logback's configuration. */
    public static final String LOGBACK_CONFIG_PROPERTY = "logback.configurationFile";
    private static final String APPENDER = "mcp";

    private LoggingSetup() {
    }

    /**
     * Replaces logback's configuration with one console appender on standard error.
     *
     * @return false if logback is not the SLF4J binding or the operator configured it by file
     * @throws IllegalArgumentException for an unknown level, naming it
     */
    public static boolean configure(LogFormat format, String level) {
        if (System.getProperty(LOGBACK_CONFIG_PROPERTY) != null) {
            return false;
        }
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setTarget("System.err");
        return install(appender, format, level);
    }

    /** Like {@link #configure} but writing to {@code out} (tests capture lines this way). */
    public static boolean configure(LogFormat format, String level, OutputStream out) {
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setOutputStream(out);
        return install(appender, format, level);
    }

    /** The logback level named {@code level}, or an exception naming the choices. */
    public static Level parseLevel(String level) {
        String l = level == null ? "" : level.trim().toUpperCase(Locale.ROOT);
        switch (l) {
            case "TRACE":
            case "DEBUG":
            case "INFO":
            case "WARN":
            case "ERROR":
            case "OFF":
                return Level.toLevel(l);
            default:
                throw new IllegalArgumentException("must be one of trace, debug, info, warn, error, off: " + level);
        }
    }

    private static boolean install(OutputStreamAppender<ILoggingEvent> appender, LogFormat format, String level) {
        Level rootLevel = parseLevel(level);
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext)) {
            return false;
        }
        LoggerContext ctx = (LoggerContext) factory;
        ctx.reset();
        appender.setContext(ctx);
        appender.setName(APPENDER);
        appender.setEncoder(encoder(ctx, format));
        appender.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(rootLevel);
        root.addAppender(appender);
        // Netty's own debug output (allocator, native transport probing) is noise at INFO and above.
        if (rootLevel.isGreaterOrEqual(Level.INFO)) {
            ctx.getLogger("io.netty").setLevel(Level.WARN);
        }
        return true;
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext ctx, LogFormat format) {
        if (format == LogFormat.JSON) {
            LogstashEncoder json = new LogstashEncoder();
            json.setContext(ctx);
            json.addProvider(new ConnectionJsonProvider());
            json.start();
            return json;
        }
        PlainLayout layout = new PlainLayout();
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> plain = new LayoutWrappingEncoder<>();
        plain.setContext(ctx);
        plain.setLayout(layout);
        plain.start();
        return plain;
    }
}
