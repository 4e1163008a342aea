package org.mcpjava.wire;

import io.netty.buffer.ByteBuf;

/**
 * Cuts validated MCP/1 frames out of a byte stream.
 *
 * <p>{@link #decode(ByteBuf)} looks at the bytes buffered so far and either returns the next whole
 * frame or {@code null} when more bytes are needed. It checks each header field as soon as its
 * bytes are present, so garbage is rejected after its first bytes, and it checks the declared
 * frame size against the maximum as soon as the 18 header bytes are present, <b>before</b> any
 * body byte needs to be buffered. Once the whole frame is present it validates the metadata layout
 * and the CRC-32C trailer. Every violation is a {@link FrameException} with the spec's error code.
 *
 * <p><b>Ownership.</b> A returned frame is a retained slice of {@code in} covering exactly the
 * frame (no copy); the caller owns it and releases it. {@code in}'s reader index moves past the
 * frame. On an exception nothing is consumed and nothing is retained.
 *
 * <p><b>Threads.</b> Immutable and stateless between calls: one instance may serve many
 * connections.
 */
public final class FrameDecoder {
    private final int maxFrameLength;

    /** A decoder accepting frames up to {@link FrameHeader#DEFAULT_MAX_FRAME} bytes. */
    public FrameDecoder() {
        this(FrameHeader.DEFAULT_MAX_FRAME);
    }

    /**
     * @param maxFrameLength the largest whole frame (22 + M + P) accepted, as announced in MAX_FRAME
     */
    public FrameDecoder(int maxFrameLength) {
        if (maxFrameLength < FrameHeader.OVERHEAD) {
            throw new IllegalArgumentException("maxFrameLength must be at least "
                    + FrameHeader.OVERHEAD + ": " + maxFrameLength);
        }
        this.maxFrameLength = maxFrameLength;
    }

    /** The largest whole frame this decoder accepts. */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * Returns the next frame in {@code in} as a retained slice, or {@code null} if its bytes have not
     * all arrived yet.
     *
     * @throws FrameException if the bytes buffered so far already violate MCP/1
     */
    public ByteBuf decode(ByteBuf in) {
        int start = in.readerIndex();
        int readable = in.readableBytes();
        if (readable < FrameHeader.HEADER_LENGTH) {
            checkPartialHeader(in, start, readable);
            return null;
        }
        // The 18 header bytes in three reads: magic..opcode, stream id..M, P.
        long first = in.getLong(start);
        long second = in.getLong(start + 8);
        checkMagic((int) (first >>> 48));
        checkVersion((int) (first >>> 40) & 0xFF);
        FrameType type = checkType((int) (first >>> 32) & 0xFF);
        int flags = (int) (first >>> 24) & 0xFF;
        checkFlags(type, flags);
        long streamId = second >>> 32;
        checkStreamId(type, flags, streamId);
        int metadataLength = (int) (second >>> 16) & 0xFFFF;
        long payloadLength = ((second & 0xFFFF) << 16) | in.getUnsignedShort(start + 16);
        long frameLength = FrameHeader.OVERHEAD + metadataLength + payloadLength;
        if (frameLength > maxFrameLength) {
            throw new FrameException(ErrorCode.FRAME_TOO_LARGE, "frame of " + frameLength
                    + " bytes (M=" + metadataLength + ", P=" + payloadLength + ") exceeds the maximum of "
                    + maxFrameLength);
        }
        if (readable < frameLength) {
            return null;
        }
        int length = (int) frameLength;
        int crcIndex = start + length - FrameHeader.TRAILER_LENGTH;
        int expected = in.getInt(crcIndex);
        int actual = Crc32c.compute(in, start, length - FrameHeader.TRAILER_LENGTH);
        if (expected != actual) {
            throw new FrameException(ErrorCode.CHECKSUM_MISMATCH, String.format(
                    "%s stream %d: trailer says 0x%08x, bytes give 0x%08x", type, streamId, expected, actual));
        }
        MetadataValidator.validate(in, start + FrameHeader.HEADER_LENGTH, metadataLength, type);
        ByteBuf frame = in.retainedSlice(start, length);
        in.skipBytes(length);
        return frame;
    }

    /**
     * Called when the stream ends: bytes still buffered are a truncated frame.
     *
     * @throws FrameException PROTOCOL_ERROR if {@code in} still holds bytes
     */
    public void checkEndOfStream(ByteBuf in) {
        if (in.isReadable()) {
            throw new FrameException(ErrorCode.PROTOCOL_ERROR,
                    "stream ended inside a frame (" + in.readableBytes() + " bytes of it received)");
        }
    }

    /** Validates whatever header bytes are present before the 18 needed for the lengths. */
    private static void checkPartialHeader(ByteBuf in, int start, int readable) {
        if (readable >= 2) {
            checkMagic(in.getUnsignedShort(start));
        } else if (readable == 1 && in.getUnsignedByte(start) != (FrameHeader.MAGIC >>> 8)) {
            throw badMagic(in.getUnsignedByte(start) << 8);
        }
        if (readable > FrameHeader.VERSION_OFFSET) {
            checkVersion(in.getUnsignedByte(start + FrameHeader.VERSION_OFFSET));
        }
        if (readable > FrameHeader.TYPE_OFFSET) {
            FrameType type = checkType(in.getUnsignedByte(start + FrameHeader.TYPE_OFFSET));
            if (readable > FrameHeader.FLAGS_OFFSET) {
                int flags = in.getUnsignedByte(start + FrameHeader.FLAGS_OFFSET);
                checkFlags(type, flags);
                if (readable >= FrameHeader.STREAM_ID_OFFSET + 4) {
                    checkStreamId(type, flags, in.getUnsignedInt(start + FrameHeader.STREAM_ID_OFFSET));
                }
            }
        }
    }

    private static void checkMagic(int magic) {
        if (magic != FrameHeader.MAGIC) {
            throw badMagic(magic);
        }
    }

    private static FrameException badMagic(int magic) {
        return new FrameException(ErrorCode.PROTOCOL_ERROR, String.format("bad magic 0x%04x, expected 0x%04x",
                magic, FrameHeader.MAGIC));
    }

    private static void checkVersion(int version) {
        if (version != FrameHeader.VERSION) {
            throw new FrameException(ErrorCode.UNSUPPORTED_VERSION,
                    "version " + version + ", this implementation speaks " + FrameHeader.VERSION);
        }
    }

    private static FrameType checkType(int wire) {
        FrameType type = FrameType.fromWire(wire);
        if (type == null) {
            throw new FrameException(ErrorCode.PROTOCOL_ERROR, String.format("unknown frame type 0x%02x", wire));
        }
        return type;
    }

    private static void checkFlags(FrameType type, int flags) {
        if ((flags & ~type.allowedFlags()) != 0) {
            throw new FrameException(ErrorCode.PROTOCOL_ERROR,
                    String.format("flags 0x%02x not allowed on %s", flags, type));
        }
        if (Flags.qos(flags) == 3) {
            throw new FrameException(ErrorCode.PROTOCOL_ERROR, "QoS 3 on " + type);
        }
    }

    private static void checkStreamId(FrameType type, int flags, long streamId) {
        if (!type.isLegalStreamId(streamId, flags)) {
            throw new FrameException(ErrorCode.PROTOCOL_ERROR, "stream id " + streamId + " not allowed on "
                    + type + (type == FrameType.PUBLISH ? " with QoS " + Flags.qos(flags) : ""));
        }
    }
}
