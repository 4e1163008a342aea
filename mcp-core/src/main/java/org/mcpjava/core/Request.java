package org.mcpjava.core;

import java.net.SocketAddress;

/**
 * An inbound REQUEST (or NOTIFY) as a handler sees it.
 *
 * <p>The payload is valid until the handler's returned stage completes; retain it to keep it longer.
 * Implementations are not thread-safe beyond what is stated per method.
 */
public interface Request {
    /** The application command. */
    int opcode();

    /** The request's stream id (0 for a NOTIFY). */
    long streamId();

    /** Whether this is a one-way NOTIFY: no answer is sent, whatever the handler returns. */
    boolean isNotify();

    /** The request payload and its codec. Do not release it: the library does. */
    Payload payload();

    /** Decodes the payload with its codec into {@code type}; INVALID_PAYLOAD if it does not decode. */
    <T> T decode(Class<T> type);

    /** The named header {@code name}, or {@code null}. */
    String header(String name);

    /** A metadata value as UTF-8 text (e.g. {@code MetadataKey.TRACEPARENT.wire()}), or {@code null}. */
    String metadata(int key);

    /** The requester's budget in milliseconds (TIMEOUT_MS), or 0 if it sent none. */
    long timeoutMillis();

    /** Whether the requester cancelled, the deadline passed, or the connection closed. Thread-safe. */
    boolean isCancelled();

    /** The connection the request arrived on; use it to call or notify the peer back. */
    Connection connection();

    /** A payload with {@code value} encoded in this request's codec, for a typed reply. */
    Payload encode(Object value);

    /** A payload with {@code value} encoded in codec {@code codec}. */
    Payload encode(int codec, Object value);

    /** The remote address of the connection. */
    default SocketAddress remoteAddress() {
        return connection().remoteAddress();
    }
}
