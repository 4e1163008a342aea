package org.mcpjava.broker;

import io.netty.buffer.ByteBufUtil;
import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.core.TraceContext;
import org.mcpjava.wire.FrameHeader;

/**
 * The exact size of the PUBLISH frame that delivers a {@link StoredMessage} to a subscriber,
 * computed without encoding it, so the broker can hold it against the subscriber's MAX_FRAME before
 * the message takes a queue slot, a store row or a packet id.
 *
 * <pre>
 * header                18
 * TOPIC                 3 + UTF-8 bytes of the topic
 * TRACEPARENT           3 + UTF-8 bytes            (when the message has a trace context)
 * TRACESTATE            3 + UTF-8 bytes            (when it also has a tracestate)
 * MESSAGE_EXPIRY_S      3 + 4                      (when the message expires)
 * payload               P
 * crc32c                4
 * </pre>
 *
 * <p>Packet id, QoS, DUP and RETAIN live in the fixed header, so every delivery of one message
 * (live, retained, re-sent) has the same size. This is the contract of
 * {@link SessionOutput#publish}: it writes exactly these entries and no others.
 *
 * <p>Stateless and thread-safe.
 */
public final class DeliveryFrameSize {
    /** Key (1 byte) and value length (2 bytes) of one metadata entry. */
    static final int ENTRY_HEADER = 3;
    /** A MESSAGE_EXPIRY_S entry: its header and a u32. */
    static final int EXPIRY_ENTRY = ENTRY_HEADER + 4;

    private DeliveryFrameSize() {
    }

    /** Bytes of the PUBLISH frame that delivers {@code message} (22 + M + P). */
    public static long of(StoredMessage message) {
        long size = FrameHeader.OVERHEAD + ENTRY_HEADER + ByteBufUtil.utf8Bytes(message.topic())
                + (long) message.payload().length;
        TraceContext trace = message.trace();
        if (trace != null) {
            size += ENTRY_HEADER + ByteBufUtil.utf8Bytes(trace.traceparent());
            if (trace.tracestate() != null) {
                size += ENTRY_HEADER + ByteBufUtil.utf8Bytes(trace.tracestate());
            }
        }
        if (message.expiresAtMillis() != 0) {
            size += EXPIRY_ENTRY;
        }
        return size;
    }
}
