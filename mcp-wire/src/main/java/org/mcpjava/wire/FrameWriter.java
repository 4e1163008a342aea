package org.mcpjava.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/**
 * Writes one MCP/1 frame into one buffer: header, metadata entries, payload, CRC-32C trailer.
 *
 * <pre>{@code
 * ByteBuf frame = writer.begin(alloc.buffer(), FrameType.REQUEST, 0, Codecs.RAW, 0xFF01, 1)
 *         .u32(MetadataKey.TIMEOUT_MS, 1000)
 *         .payload(bytes)
 *         .finish();
 * }</pre>
 *
 * <p>Calls follow the wire order: {@code begin}, any metadata, then the payload (by
 * {@link #payload(ByteBuf)} or by writing into {@link #payloadOut()}), then {@link #finish()},
 * which fills in M and P and appends the checksum. Metadata after the payload is an
 * {@link IllegalStateException}; an argument that would produce an illegal frame is an
 * {@link IllegalArgumentException} (fail fast: an encoder never emits what a decoder rejects).
 *
 * <p><b>Ownership.</b> The output buffer passed to {@code begin} is the caller's and is returned by
 * {@code finish}. Payload buffers passed in are copied, not released. If a call throws, the frame
 * is incomplete: the caller releases the buffer. The frame starts at the buffer's writer index at
 * {@code begin}, so several frames may be written back to back into one buffer.
 *
 * <p><b>Threads.</b> Not thread-safe; keep one per thread or per connection and reuse it: it holds
 * no per-frame allocation.
 */
public final class FrameWriter {
    private ByteBuf out;
    private FrameType type;
    private int frameStart;
    private int payloadStart = -1;
    private boolean ownsBuffer;

    /** Starts a frame in a new buffer from {@code alloc} sized for {@code payloadHint} bytes of payload. */
    public FrameWriter begin(ByteBufAllocator alloc, int payloadHint, FrameType type, int flags, int codec,
                             int opcode, long streamId) {
        ByteBuf out = alloc.buffer(FrameHeader.OVERHEAD + 32 + Math.max(0, payloadHint));
        try {
            begin(out, type, flags, codec, opcode, streamId);
            ownsBuffer = true;
            return this;
        } catch (RuntimeException e) {
            out.release(); // the caller never saw this buffer, so it cannot release it
            throw e;
        }
    }

    /** Starts a frame at the writer index of {@code out}. */
    public FrameWriter begin(ByteBuf out, FrameType type, int flags, int codec, int opcode, long streamId) {
        if (type == null) {
            throw new IllegalArgumentException("type is null");
        }
        if ((flags & ~type.allowedFlags()) != 0 || (flags & ~0xFF) != 0) {
            throw new IllegalArgumentException(String.format("flags 0x%02x not allowed on %s", flags, type));
        }
        if (Flags.qos(flags) == 3) {
            throw new IllegalArgumentException("QoS 3 is invalid");
        }
        if ((codec & ~0xFF) != 0) {
            throw new IllegalArgumentException("codec must be 0-255: " + codec);
        }
        if ((opcode & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("opcode must be 0-65535: " + opcode);
        }
        if (streamId < 0 || streamId > FrameHeader.MAX_STREAM_ID) {
            throw new IllegalArgumentException("stream id must be 0-2^32-1: " + streamId);
        }
        if (!type.isLegalStreamId(streamId, flags)) {
            throw new IllegalArgumentException("stream id " + streamId + " not allowed on " + type
                    + " (rule " + type.streamIdRule() + ")");
        }
        this.out = out;
        this.ownsBuffer = false;
        this.type = type;
        this.frameStart = out.writerIndex();
        this.payloadStart = -1;
        out.ensureWritable(FrameHeader.HEADER_LENGTH);
        // magic, version, type, flags, codec and opcode are the first 8 bytes: one bounds check, one store.
        out.writeLong(((long) FrameHeader.MAGIC << 48) | ((long) FrameHeader.VERSION << 40)
                | ((long) type.wire() << 32) | ((long) flags << 24) | ((long) codec << 16) | opcode);
        out.writeLong(streamId << 32); // stream id, then M and the high half of P, patched by finish()
        out.writeShort(0);             // the low half of P, patched by finish()
        return this;
    }

    /** Adds an entry with a one-byte value. */
    public FrameWriter u8(MetadataKey key, int value) {
        if ((value & ~0xFF) != 0) {
            throw new IllegalArgumentException(key + " must be a u8: " + value);
        }
        entryHeader(key.wire(), 1).writeByte(value);
        return this;
    }

    /** Adds an entry with a u16 value. */
    public FrameWriter u16(MetadataKey key, int value) {
        if ((value & ~0xFFFF) != 0) {
            throw new IllegalArgumentException(key + " must be a u16: " + value);
        }
        entryHeader(key.wire(), 2).writeShort(value);
        return this;
    }

    /** Adds an entry with a u32 value. */
    public FrameWriter u32(MetadataKey key, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(key + " must be a u32: " + value);
        }
        entryHeader(key.wire(), 4).writeInt((int) value);
        return this;
    }

    /** Adds an entry with a UTF-8 text value, encoded straight into the frame. */
    public FrameWriter utf8(MetadataKey key, CharSequence value) {
        return utf8(key.wire(), value);
    }

    /** Adds an entry under any key with a UTF-8 text value. */
    public FrameWriter utf8(int key, CharSequence value) {
        checkMetadataPhase();
        checkKey(key);
        out.writeByte(key);
        int lengthIndex = out.writerIndex();
        out.writeShort(0);
        int written = ByteBufUtil.writeUtf8(out, value);
        if (written > 0xFFFF) {
            throw new IllegalArgumentException("metadata value longer than 65535 bytes: " + written);
        }
        out.setShort(lengthIndex, written);
        return this;
    }

    /** Adds an entry under any key with an opaque value (bytes are copied). */
    public FrameWriter bytes(int key, byte[] value) {
        entryHeader(key, value.length).writeBytes(value);
        return this;
    }

    /** Adds an entry under any key with the readable bytes of {@code value} (copied, not released). */
    public FrameWriter bytes(int key, ByteBuf value) {
        entryHeader(key, value.readableBytes()).writeBytes(value, value.readerIndex(), value.readableBytes());
        return this;
    }

    /** Adds a SUBSCRIPTION entry: max QoS, then the filter. */
    public FrameWriter subscription(int maxQos, CharSequence filter) {
        if (maxQos < 0 || maxQos > 2) {
            throw new IllegalArgumentException("subscription QoS must be 0-2: " + maxQos);
        }
        checkMetadataPhase();
        out.writeByte(MetadataKey.SUBSCRIPTION.wire());
        int lengthIndex = out.writerIndex();
        out.writeShort(0);
        out.writeByte(maxQos);
        int written = 1 + ByteBufUtil.writeUtf8(out, filter);
        if (written > 0xFFFF) {
            throw new IllegalArgumentException("subscription longer than 65535 bytes");
        }
        out.setShort(lengthIndex, written);
        return this;
    }

    /** Adds a named header (key 0xFF) with a UTF-8 name and UTF-8 value. */
    public FrameWriter header(CharSequence name, CharSequence value) {
        checkMetadataPhase();
        out.writeByte(MetadataKey.NAMED_HEADER);
        int lengthIndex = out.writerIndex();
        out.writeShort(0);
        int nameLengthIndex = out.writerIndex();
        out.writeByte(0);
        int nameLength = ByteBufUtil.writeUtf8(out, name);
        if (nameLength > 0xFF) {
            throw new IllegalArgumentException("header name longer than 255 bytes: " + name);
        }
        out.setByte(nameLengthIndex, nameLength);
        int total = 1 + nameLength + ByteBufUtil.writeUtf8(out, value);
        if (total > 0xFFFF) {
            throw new IllegalArgumentException("header " + name + " longer than 65535 bytes");
        }
        out.setShort(lengthIndex, total);
        return this;
    }

    /** Appends the readable bytes of {@code payload} (copied; the caller keeps ownership). */
    public FrameWriter payload(ByteBuf payload) {
        payloadOut().writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        return this;
    }

    /** Appends {@code payload} (copied). */
    public FrameWriter payload(byte[] payload) {
        payloadOut().writeBytes(payload);
        return this;
    }

    /**
     * Ends the metadata section and returns the frame buffer, whose writer index is where payload
     * bytes go; write the payload into it directly (for example through a serializer) before
     * {@link #finish()}. Calling it again continues the same payload.
     */
    public ByteBuf payloadOut() {
        checkStarted();
        if (payloadStart < 0) {
            int metadataLength = out.writerIndex() - frameStart - FrameHeader.HEADER_LENGTH;
            if (metadataLength > FrameHeader.MAX_METADATA_LENGTH) {
                throw new IllegalArgumentException("metadata longer than 65535 bytes: " + metadataLength);
            }
            payloadStart = out.writerIndex();
        }
        return out;
    }

    /**
     * Completes the frame: fills in M and P, appends the CRC-32C trailer, and returns the buffer.
     * The writer is then free for the next {@code begin}.
     */
    public ByteBuf finish() {
        payloadOut();
        ByteBuf buf = out;
        int metadataLength = payloadStart - frameStart - FrameHeader.HEADER_LENGTH;
        int payloadLength = buf.writerIndex() - payloadStart;
        buf.setShort(frameStart + FrameHeader.METADATA_LENGTH_OFFSET, metadataLength);
        buf.setInt(frameStart + FrameHeader.PAYLOAD_LENGTH_OFFSET, payloadLength);
        int crc = Crc32c.compute(buf, frameStart, buf.writerIndex() - frameStart);
        buf.writeInt(crc);
        out = null;
        ownsBuffer = false;
        type = null;
        payloadStart = -1;
        return buf;
    }

    /**
     * Abandons the frame being written after a failed call: releases the buffer if this writer
     * allocated it ({@code begin(ByteBufAllocator, ...)}); a caller-supplied buffer is left to the
     * caller. The writer is then free for the next {@code begin}.
     */
    public void abort() {
        ByteBuf buf = out;
        out = null;
        type = null;
        payloadStart = -1;
        if (buf != null && ownsBuffer && buf.refCnt() > 0) {
            buf.release();
        }
        ownsBuffer = false;
    }

    /** The type of the frame being written, or {@code null} between frames. */
    public FrameType type() {
        return type;
    }

    private ByteBuf entryHeader(int key, int length) {
        checkMetadataPhase();
        checkKey(key);
        if (length > 0xFFFF) {
            throw new IllegalArgumentException("metadata value longer than 65535 bytes: " + length);
        }
        out.ensureWritable(3 + length);
        out.writeByte(key);
        out.writeShort(length);
        return out;
    }

    private static void checkKey(int key) {
        if (key < 1 || key > 0xFF) {
            throw new IllegalArgumentException("metadata key must be 1-255: " + key);
        }
    }

    private void checkMetadataPhase() {
        checkStarted();
        if (payloadStart >= 0) {
            throw new IllegalStateException("metadata must be written before the payload");
        }
    }

    private void checkStarted() {
        if (out == null) {
            throw new IllegalStateException("begin() a frame first");
        }
    }
}
