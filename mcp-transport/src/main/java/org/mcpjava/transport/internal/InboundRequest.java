package org.mcpjava.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.util.Timeout;
import org.mcpjava.core.Connection;
import org.mcpjava.core.Payload;
import org.mcpjava.core.Request;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.Metadata;
import org.mcpjava.wire.MetadataKey;

/**
 * An inbound REQUEST or NOTIFY in flight. Holds the frame until both the answer is sent (or the
 * request was cancelled / expired) and the handler's stage has completed, so that a handler still
 * running on another thread never reads released memory.
 */
final class InboundRequest implements Request {
    private final McpConnection connection;
    private final ByteBuf frame;
    private final Payload payload;
    private final long streamId;
    private final int opcode;
    private final long timeoutMillis;
    private final boolean notify;
    private volatile boolean cancelled;
    /** The answer has been decided (sent, or suppressed by cancel/deadline). Event loop only. */
    boolean answered;
    /** The handler's stage has completed. Event loop only. */
    boolean handlerDone;
    Timeout deadline;
    private boolean released;
    /** When the REQUEST was read (ticker nanos), for the observer's latency. */
    long receivedNanos;

    /** Takes over the caller's reference to {@code frame}. */
    InboundRequest(McpConnection connection, ByteBuf frame) {
        this.connection = connection;
        this.frame = frame;
        this.streamId = FrameHeader.streamId(frame);
        this.opcode = FrameHeader.opcode(frame);
        this.notify = FrameHeader.type(frame) == FrameType.NOTIFY;
        this.timeoutMillis = notify ? 0 : Metadata.number(frame, MetadataKey.TIMEOUT_MS, 0);
        // A slice sharing the frame's reference count: a handler that retains the payload keeps the
        // frame alive, and one release of the frame frees both.
        this.payload = Payload.of(FrameHeader.codec(frame), FrameHeader.payload(frame));
    }

    /** Releases the frame once the answer is decided and the handler is done. */
    void releaseIfFinished() {
        if (answered && handlerDone && !released) {
            released = true;
            frame.release();
        }
    }

    void markCancelled() {
        cancelled = true;
    }

    @Override
    public int opcode() {
        return opcode;
    }

    @Override
    public long streamId() {
        return streamId;
    }

    @Override
    public boolean isNotify() {
        return notify;
    }

    @Override
    public Payload payload() {
        return payload;
    }

    @Override
    public <T> T decode(Class<T> type) {
        return connection.settings().codecs().decode(payload, type);
    }

    @Override
    public String header(String name) {
        return Metadata.header(frame, name);
    }

    @Override
    public String metadata(int key) {
        int index = Metadata.find(frame, key);
        return index < 0 ? null : frame.toString(index, frame.getUnsignedShort(index - 2),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public long timeoutMillis() {
        return timeoutMillis;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public Connection connection() {
        return connection;
    }

    @Override
    public Payload encode(Object value) {
        return encode(payload.codec(), value);
    }

    @Override
    public Payload encode(int codec, Object value) {
        return connection.settings().codecs().encode(connection.alloc(), codec, value);
    }

    @Override
    public String toString() {
        return String.format("Request(stream=%d, opcode=0x%04x, %s)", streamId, opcode, payload);
    }
}
