package org.mcpjava.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.mcpjava.core.Payload;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.MetadataKey;

import java.util.Map;

/**
 * Builds the frames a connection sends, with one reused {@link FrameWriter}. Confined to the
 * connection's event loop.
 */
final class FrameFactory {
    private final FrameWriter writer = new FrameWriter();
    private final ByteBufAllocator alloc;

    FrameFactory(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    FrameWriter begin(int payloadHint, FrameType type, int flags, int codec, int opcode, long streamId) {
        return writer.begin(alloc, payloadHint, type, flags, codec, opcode, streamId);
    }

    /** REQUEST with an optional TIMEOUT_MS and extra metadata; copies the payload, does not release it. */
    ByteBuf request(long streamId, int opcode, Payload payload, long timeoutMillis, Map<Integer, String> extra) {
        FrameWriter w = begin(payload.size(), FrameType.REQUEST, 0, payload.codec(), opcode, streamId);
        if (timeoutMillis > 0) {
            w.u32(MetadataKey.TIMEOUT_MS, Math.min(timeoutMillis, 0xFFFF_FFFFL));
        }
        addExtra(w, extra);
        return w.payload(payload.data()).finish();
    }

    ByteBuf notify(int opcode, Payload payload, Map<Integer, String> extra) {
        FrameWriter w = begin(payload.size(), FrameType.NOTIFY, 0, payload.codec(), opcode, 0);
        addExtra(w, extra);
        return w.payload(payload.data()).finish();
    }

    /** Writes decorator metadata (e.g. TRACEPARENT) into the frame being built. */
    static void addExtra(FrameWriter w, Map<Integer, String> extra) {
        if (extra != null) {
            for (Map.Entry<Integer, String> e : extra.entrySet()) {
                w.utf8(e.getKey(), e.getValue());
            }
        }
    }

    ByteBuf response(long streamId, int opcode, Payload payload) {
        return begin(payload.size(), FrameType.RESPONSE, 0, payload.codec(), opcode, streamId)
                .payload(payload.data()).finish();
    }

    ByteBuf error(long streamId, int opcode, int code, String message) {
        FrameWriter w = begin(0, FrameType.ERROR, 0, 0, opcode, streamId).u16(MetadataKey.ERROR_CODE, code);
        if (message != null && !message.isEmpty()) {
            w.utf8(MetadataKey.ERROR_MESSAGE, truncate(message));
        }
        return w.finish();
    }

    ByteBuf cancel(long streamId) {
        return begin(0, FrameType.CANCEL, 0, 0, 0, streamId).finish();
    }

    ByteBuf ping(long stamp) {
        FrameWriter w = begin(8, FrameType.PING, 0, 0, 0, 0);
        w.payloadOut().writeLong(stamp);
        return w.finish();
    }

    /** PONG echoing the PING's payload bytes. */
    ByteBuf pong(ByteBuf pingPayload) {
        return begin(pingPayload.readableBytes(), FrameType.PONG, 0, 0, 0, 0).payload(pingPayload).finish();
    }

    ByteBuf goaway(ErrorCode code, String message, long lastStreamId) {
        FrameWriter w = begin(0, FrameType.GOAWAY, 0, 0, 0, 0).u16(MetadataKey.ERROR_CODE, code.code());
        if (message != null && !message.isEmpty()) {
            w.utf8(MetadataKey.ERROR_MESSAGE, truncate(message));
        }
        return w.u32(MetadataKey.LAST_STREAM_ID, lastStreamId).finish();
    }

    /** Keeps ERROR_MESSAGE well inside the u16 metadata limit. */
    private static String truncate(String message) {
        return message.length() > 1024 ? message.substring(0, 1024) + "..." : message;
    }
}
