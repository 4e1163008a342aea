package org.mcpjava.transport.internal;

import io.netty.util.Timer;
import org.mcpjava.codec.CodecRegistry;
import org.mcpjava.core.Authenticator;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.core.OutboundDecorator;
import org.mcpjava.core.Router;
import org.mcpjava.core.Ticker;
import org.mcpjava.wire.FrameHeader;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Everything a connection needs from its server or client, frozen at build time. Shared by all
 * connections of one endpoint.
 *
 * @param ticker            time source for keepalive and handshake timeouts
 * @param timer             the timer wheel for request deadlines and drain deadlines
 * @param router            inbound request dispatch (with the built-ins already registered)
 * @param codecs            codecs this side accepts, announced in CODECS
 * @param authenticator     checks HELLO credentials (server only; {@code null} accepts everyone)
 * @param maxFrame          the largest frame this side accepts (MAX_FRAME)
 * @param receiveWindow     QoS 1/2 PUBLISH in flight this side accepts (RECEIVE_WINDOW)
 * @param maxConcurrentRequests inbound requests in flight this side accepts
 * @param keepaliveMillis   this side's KEEPALIVE_MS (0 disables keepalive)
 * @param handshakeTimeoutMillis how long a HELLO/WELCOME may take
 * @param housekeepingMillis how often keepalive and handshake deadlines are checked
 * @param drainTimeoutMillis how long GOAWAY waits for accepted work before closing anyway
 * @param name              SERVER_NAME (server) or CLIENT_ID (client)
 * @param credentials       AUTH bytes the client sends ({@code null} for none)
 * @param handlerExecutor   where blocking built-in work may run
 * @param observer          receives engine events (metrics); {@link EngineObserver#NONE} for none
 * @param decorator         adds metadata to outbound frames (tracing), or {@code null}
 */
public record EngineSettings(
        Ticker ticker,
        Timer timer,
        Router router,
        CodecRegistry codecs,
        Authenticator authenticator,
        int maxFrame,
        int receiveWindow,
        int maxConcurrentRequests,
        long keepaliveMillis,
        long handshakeTimeoutMillis,
        long housekeepingMillis,
        long drainTimeoutMillis,
        String name,
        byte[] credentials,
        Executor handlerExecutor,
        EngineObserver observer,
        OutboundDecorator decorator) {

    /**
     * A MAX_FRAME a builder may accept: at least a frame header ({@link FrameHeader#OVERHEAD}).
     *
     * @throws IllegalArgumentException naming {@code bytes} otherwise
     */
    public static int checkMaxFrame(int bytes) {
        if (bytes < FrameHeader.OVERHEAD) {
            throw new IllegalArgumentException("maxFrame must be at least " + FrameHeader.OVERHEAD + ": " + bytes);
        }
        return bytes;
    }

    /**
     * How often a connection checks its keepalive and handshake deadlines: {@code interval} when
     * given (at least 1 ms), else a quarter of the shorter of the keepalive (unless 0, disabled) and
     * the handshake timeout, kept within 10 ms to 1 s.
     */
    public static long housekeepingMillis(Duration interval, long keepaliveMillis, long handshakeTimeoutMillis) {
        if (interval != null) {
            return Math.max(1, interval.toMillis());
        }
        long basis = keepaliveMillis == 0 ? handshakeTimeoutMillis : Math.min(keepaliveMillis, handshakeTimeoutMillis);
        return Math.max(10, Math.min(1000, basis / 4));
    }
}
