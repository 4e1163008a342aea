package org.mcpjava.core;

import org.mcpjava.wire.FrameType;

import java.net.SocketAddress;

/**
 * Receives the engine's events, for metrics and logs. Every method has an empty default; an
 * implementation overrides what it needs. Called on event-loop threads, often once per frame:
 * implementations must be cheap, thread-safe and must not block or throw.
 */
public interface EngineObserver {
    /** A connection completed its handshake. */
    default void connectionEstablished(Connection connection) {
    }

    /**
     * A connection closed. {@code code} is the error code it closed with (sent or received), or
     * NO_ERROR (0) for a normal close.
     */
    default void connectionClosed(Connection connection, int code) {
    }

    /** A connection failed before WELCOME (bad AUTH, handshake timeout, protocol error). */
    default void handshakeFailed(SocketAddress remote, int code) {
    }

    /** A frame was decoded. */
    default void frameRead(FrameType type, int bytes) {
    }

    /** A frame was written (handed to the transport). */
    default void frameWritten(FrameType type, int bytes) {
    }

    /**
     * This side answered an inbound REQUEST: {@code code} 0 for RESPONSE, else the ERROR code;
     * {@code nanos} from receipt to the answer being written. Answers decided while the request's
     * read is still being processed are reported together at the read's end (with one clock read),
     * so for them {@code nanos} runs from the start of that read to the flush of its answers.
     */
    default void requestHandled(Connection connection, int opcode, long nanos, int code) {
    }

    /**
     * An outbound call finished: {@code code} 0 for a RESPONSE, else the error it failed with
     * (the peer's, or DEADLINE_EXCEEDED / UNAVAILABLE decided here); {@code nanos} from send to completion.
     */
    default void callCompleted(Connection connection, int opcode, long nanos, int code) {
    }

    /**
     * The server received a PUBLISH from a client, about to route it (topic valid, within the
     * window). {@code traceparent} and {@code tracestate} are its TRACEPARENT / TRACESTATE metadata,
     * or {@code null}.
     */
    default void publishReceived(Connection connection, String topic, int qos, String traceparent, String tracestate) {
    }

    /**
     * The server received a PUBLISH from a client, about to route it, and asks which trace context
     * the message carries on to its subscribers (and into the store). The engine calls this method,
     * not {@link #publishReceived}, whose event this includes: the default reports it there and
     * returns {@code received} unchanged. An observer that records a span for the publish returns
     * that span's context instead, so that the subscribers' spans become its children.
     *
     * @param received the PUBLISH's own TRACEPARENT / TRACESTATE, or {@code null}
     * @return the trace context to deliver, or {@code null} for none
     */
    default TraceContext publishTraceContext(Connection connection, String topic, int qos, TraceContext received) {
        publishReceived(connection, topic, qos, received == null ? null : received.traceparent(),
                received == null ? null : received.tracestate());
        return received;
    }

    /** The observer that does nothing. */
    EngineObserver NONE = new EngineObserver() {
    };
}
