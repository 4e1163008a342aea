package org.mcpjava.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.mcpjava.core.Payload;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.MetadataKey;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds the frames a connection sends, with one reused {@link FrameWriter}. Confined to the
 * connection's event loop.
 *
 * <p><b>Batching.</b> Small frames of the request/response path ({@link #request}, {@link #response},
 * {@link #error}, {@link #cancel}, {@link #ping}, {@link #pong}) are appended to one shared batch
 * buffer instead of a buffer each: the method then returns that batch buffer ({@link #isBatch}), and
 * the connection hands the whole batch to the channel at its next flush point ({@link #takeBatch}).
 * A batch is one channel message, one iovec and one allocation for many frames, instead of one of
 * each per frame. Every other frame gets its own buffer; the connection writes the batch before it,
 * so frames reach the wire in the order they were built.
 *
 * <p><b>Buffers.</b> A standalone frame belongs to the caller. The batch belongs to this factory
 * until {@link #takeBatch} hands it over; {@link #releaseBatch} frees what was never handed over. A
 * frame whose building fails is rolled back (the batch is cut back to where it began, a standalone
 * buffer is released) before the exception propagates.
 */
final class FrameFactory {
    /** Frames with more payload than this get their own buffer. */
    static final int MAX_BATCHED_PAYLOAD = 8 * 1024;
    /**
     * The capacity of a batch buffer (within the pooled allocator's thread-cached sizes). A frame
     * that does not fit in what is left of the batch makes it full: it is handed over and the frame
     * starts a new one, so a batch never grows by copying.
     */
    static final int BATCH_CAPACITY = 16 * 1024;
    /** Room kept for a frame's header, metadata and trailer beyond its payload. */
    private static final int FRAME_ROOM = 256;

    private final FrameWriter writer = new FrameWriter();
    private final ByteBufAllocator alloc;
    /** Takes a full batch buffer over (the connection writes it to the channel, unflushed). */
    private final Consumer<ByteBuf> handover;
    private ByteBuf batch;
    private int frameStart;
    private FrameType lastType;
    private int lastLength;

    /** @param handover takes each full batch over, in order; the frame being built goes into the next */
    FrameFactory(ByteBufAllocator alloc, Consumer<ByteBuf> handover) {
        this.alloc = alloc;
        this.handover = handover;
    }

    /** Starts a standalone frame in its own buffer. */
    FrameWriter begin(int payloadHint, FrameType type, int flags, int codec, int opcode, long streamId) {
        return writer.begin(alloc, payloadHint, type, flags, codec, opcode, streamId);
    }

    /** Starts a frame in the batch when it is small, in its own buffer otherwise. */
    private FrameWriter beginBatchable(int payloadHint, FrameType type, int flags, int codec, int opcode, long streamId) {
        if (payloadHint > MAX_BATCHED_PAYLOAD) {
            frameStart = -1;
            return writer.begin(alloc, payloadHint, type, flags, codec, opcode, streamId);
        }
        if (batch != null && batch.maxFastWritableBytes() < payloadHint + FRAME_ROOM) {
            ByteBuf full = batch;
            batch = null;
            if (full.isReadable()) {
                handover.accept(full);
            } else {
                full.release();
            }
        }
        if (batch == null) {
            batch = alloc.directBuffer(BATCH_CAPACITY);
        }
        frameStart = batch.writerIndex();
        lastType = type;
        return writer.begin(batch, type, flags, codec, opcode, streamId);
    }

    /** Completes a frame started by {@link #beginBatchable}. */
    private ByteBuf finishBatchable(FrameWriter w) {
        ByteBuf out = w.finish();
        if (out == batch) {
            lastLength = out.writerIndex() - frameStart;
        }
        return out;
    }

    /** Undoes a frame started by {@link #beginBatchable} whose building failed. */
    private RuntimeException rollback(RuntimeException e) {
        if (frameStart >= 0 && writer.type() != null) {
            batch.writerIndex(frameStart);
        }
        writer.abort(); // releases a standalone buffer; leaves the batch alone
        return e;
    }

    /** Whether {@code frame} (as returned by a method of this factory) is the batch buffer. */
    boolean isBatch(ByteBuf frame) {
        return frame == batch;
    }

    /** The type of the frame last appended to the batch. */
    FrameType lastBatchedType() {
        return lastType;
    }

    /** The length of the frame last appended to the batch. */
    int lastBatchedLength() {
        return lastLength;
    }

    /** Bytes in the batch not yet handed over. */
    int batchBytes() {
        return batch == null ? 0 : batch.readableBytes();
    }

    /** Hands the batch over (the caller now owns it), or returns {@code null} when it is empty. */
    ByteBuf takeBatch() {
        ByteBuf b = batch;
        if (b == null || !b.isReadable()) {
            return null;
        }
        batch = null;
        return b;
    }

    /** Frees the batch (at close): its frames are never sent. */
    void releaseBatch() {
        ByteBuf b = batch;
        batch = null;
        if (b != null) {
            b.release();
        }
    }

    /** REQUEST with an optional TIMEOUT_MS and extra metadata; copies the payload, does not release it. */
    ByteBuf request(long streamId, int opcode, Payload payload, long timeoutMillis, Map<Integer, String> extra) {
        FrameWriter w = beginBatchable(payload.size(), FrameType.REQUEST, 0, payload.codec(), opcode, streamId);
        try {
            if (timeoutMillis > 0) {
                w.u32(MetadataKey.TIMEOUT_MS, Math.min(timeoutMillis, 0xFFFF_FFFFL));
            }
            addExtra(w, extra);
            return finishBatchable(w.payload(payload.data()));
        } catch (RuntimeException e) {
            throw rollback(e);
        }
    }

    ByteBuf notify(int opcode, Payload payload, Map<Integer, String> extra) {
        FrameWriter w = begin(payload.size(), FrameType.NOTIFY, 0, payload.codec(), opcode, 0);
        try {
            addExtra(w, extra);
            return w.payload(payload.data()).finish();
        } catch (RuntimeException e) {
            w.abort();
            throw e;
        }
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
        FrameWriter w = beginBatchable(payload.size(), FrameType.RESPONSE, 0, payload.codec(), opcode, streamId);
        try {
            return finishBatchable(w.payload(payload.data()));
        } catch (RuntimeException e) {
            throw rollback(e);
        }
    }

    ByteBuf error(long streamId, int opcode, int code, String message) {
        FrameWriter w = beginBatchable(0, FrameType.ERROR, 0, 0, opcode, streamId);
        try {
            w.u16(MetadataKey.ERROR_CODE, code);
            if (message != null && !message.isEmpty()) {
                w.utf8(MetadataKey.ERROR_MESSAGE, truncate(message));
            }
            return finishBatchable(w);
        } catch (RuntimeException e) {
            throw rollback(e);
        }
    }

    /** ERROR on stream 0 in a buffer of its own (the connection writes it with a listener). */
    ByteBuf connectionError(int code, String message) {
        FrameWriter w = begin(0, FrameType.ERROR, 0, 0, 0, 0);
        try {
            w.u16(MetadataKey.ERROR_CODE, code);
            if (message != null && !message.isEmpty()) {
                w.utf8(MetadataKey.ERROR_MESSAGE, truncate(message));
            }
            return w.finish();
        } catch (RuntimeException e) {
            w.abort();
            throw e;
        }
    }

    ByteBuf cancel(long streamId) {
        return finishBatchable(beginBatchable(0, FrameType.CANCEL, 0, 0, 0, streamId));
    }

    ByteBuf ping(long stamp) {
        FrameWriter w = beginBatchable(8, FrameType.PING, 0, 0, 0, 0);
        w.payloadOut().writeLong(stamp);
        return finishBatchable(w);
    }

    /** PONG echoing the PING's payload bytes. */
    ByteBuf pong(ByteBuf pingPayload) {
        FrameWriter w = beginBatchable(pingPayload.readableBytes(), FrameType.PONG, 0, 0, 0, 0);
        try {
            return finishBatchable(w.payload(pingPayload));
        } catch (RuntimeException e) {
            throw rollback(e);
        }
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
