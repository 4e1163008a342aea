package org.mcpjava.client;

import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.Metadata;

import java.util.Map;

/**
 * The exact size of the PUBLISH frame this client writes for a message, computed without encoding
 * it, so a publish can be held against the server's MAX_FRAME before it takes a packet id or a
 * window slot. The client-side twin of {@code org.mcpjava.broker.DeliveryFrameSize}, over what
 * {@link ClientPubSub} writes:
 *
 * <pre>
 * header + crc32c       22
 * TOPIC                 3 + UTF-8 bytes of the topic
 * decorator metadata    3 + UTF-8 bytes, per entry  (e.g. TRACEPARENT, TRACESTATE)
 * MESSAGE_EXPIRY_S      3 + 4                       (when the publish has an expiry)
 * payload               P
 * </pre>
 *
 * <p>Packet id, QoS, DUP and RETAIN live in the fixed header, so a re-sent PUBLISH has the same
 * size as the first. Stateless.
 */
final class PublishFrameSize {
    private PublishFrameSize() {
    }

    /** Bytes of the PUBLISH frame for these parts (22 + M + P). */
    static long of(String topic, Map<Integer, String> metadata, long expirySeconds, int payloadBytes) {
        long size = FrameHeader.OVERHEAD + Metadata.utf8EntrySize(topic) + (long) payloadBytes;
        if (metadata != null) {
            for (String value : metadata.values()) {
                size += Metadata.utf8EntrySize(value);
            }
        }
        if (expirySeconds > 0) {
            size += Metadata.U32_ENTRY;
        }
        return size;
    }

    /** The size of {@code op}'s PUBLISH. */
    static long of(ClientSession.OutboundPublish op) {
        return of(op.topic, op.metadata, op.expirySeconds, op.payload.size());
    }
}
