package org.mcpjava.broker;

import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.core.TraceContext;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.Metadata;

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
    private DeliveryFrameSize() {
    }

    /** Bytes of the PUBLISH frame that delivers {@code message} (22 + M + P). */
    public static long of(StoredMessage message) {
        long size = FrameHeader.OVERHEAD + Metadata.utf8EntrySize(message.topic()) + (long) message.payload().length;
        TraceContext trace = message.trace();
        if (trace != null) {
            size += Metadata.utf8EntrySize(trace.traceparent());
            if (trace.tracestate() != null) {
                size += Metadata.utf8EntrySize(trace.tracestate());
            }
        }
        if (message.expiresAtMillis() != 0) {
            size += Metadata.U32_ENTRY;
        }
        return size;
    }
}
