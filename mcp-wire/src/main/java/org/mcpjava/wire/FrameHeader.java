package org.mcpjava.wire;

import io.netty.buffer.ByteBuf;

/**
 * Layout of an MCP/1 frame and flyweight accessors over a frame buffer.
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +-------------------------------+---------------+---------------+
 * |         magic 0x4D43          |  version 0x01 |     type      |  0
 * +---------------+---------------+---------------+---------------+
 * |     flags     |     codec     |            opcode             |  4
 * +---------------+---------------+-------------------------------+
 * |                           stream id                           |  8
 * +-------------------------------+-------------------------------+
 * |       meta length M           |      payload length P ...     | 12
 * +-------------------------------+-------------------------------+
 * |   ... payload length P        |  metadata (M bytes) ...       | 16
 * +-------------------------------+-------------------------------+
 * |  payload (P bytes) ...                                        | 18+M
 * +---------------------------------------------------------------+
 * |                      crc32c of [0, 18+M+P)                    | 18+M+P
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Every accessor takes a buffer whose <b>reader index is the first byte of the frame</b> (as
 * {@link FrameDecoder} hands them out) and does not move any index. Slices returned are not
 * retained: they are valid while the frame buffer is; retain them to keep them longer.
 */
public final class FrameHeader {
    /** The magic 0x4D43 ("MC"). */
    public static final int MAGIC = 0x4D43;
    /** The protocol version this implementation speaks. */
    public static final int VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int TYPE_OFFSET = 3;
    public static final int FLAGS_OFFSET = 4;
    public static final int CODEC_OFFSET = 5;
    public static final int OPCODE_OFFSET = 6;
    public static final int STREAM_ID_OFFSET = 8;
    public static final int METADATA_LENGTH_OFFSET = 12;
    public static final int PAYLOAD_LENGTH_OFFSET = 14;
    /** Size of the fixed header; metadata starts here. */
    public static final int HEADER_LENGTH = 18;
    /** Size of the CRC-32C trailer. */
    public static final int TRAILER_LENGTH = 4;
    /** Header plus trailer: the size of a frame with no metadata and no payload. */
    public static final int OVERHEAD = HEADER_LENGTH + TRAILER_LENGTH;
    /** Largest metadata section (u16). */
    public static final int MAX_METADATA_LENGTH = 0xFFFF;
    /** Default largest frame a peer accepts (MAX_FRAME), 4 MiB. */
    public static final int DEFAULT_MAX_FRAME = 4 * 1024 * 1024;
    /** Largest stream or packet id (u32). */
    public static final long MAX_STREAM_ID = 0xFFFF_FFFFL;

    private FrameHeader() {
    }

    /** The frame type; the decoder guarantees it is defined. */
    public static FrameType type(ByteBuf frame) {
        return FrameType.fromWire(frame.getUnsignedByte(frame.readerIndex() + TYPE_OFFSET));
    }

    /** The flags byte. */
    public static int flags(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + FLAGS_OFFSET);
    }

    /** The payload codec id. */
    public static int codec(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + CODEC_OFFSET);
    }

    /** The opcode (u16). */
    public static int opcode(ByteBuf frame) {
        return frame.getUnsignedShort(frame.readerIndex() + OPCODE_OFFSET);
    }

    /** The stream or packet id (u32). */
    public static long streamId(ByteBuf frame) {
        return frame.getUnsignedInt(frame.readerIndex() + STREAM_ID_OFFSET);
    }

    /** M, the metadata length. */
    public static int metadataLength(ByteBuf frame) {
        return frame.getUnsignedShort(frame.readerIndex() + METADATA_LENGTH_OFFSET);
    }

    /** P, the payload length (the decoder guarantees it fits the configured maximum). */
    public static int payloadLength(ByteBuf frame) {
        return (int) frame.getUnsignedInt(frame.readerIndex() + PAYLOAD_LENGTH_OFFSET);
    }

    /** 22 + M + P. */
    public static int frameLength(ByteBuf frame) {
        return OVERHEAD + metadataLength(frame) + payloadLength(frame);
    }

    /** Absolute index of the first metadata byte. */
    public static int metadataIndex(ByteBuf frame) {
        return frame.readerIndex() + HEADER_LENGTH;
    }

    /** Absolute index of the first payload byte. */
    public static int payloadIndex(ByteBuf frame) {
        return metadataIndex(frame) + metadataLength(frame);
    }

    /** The metadata section as an unretained slice (no copy). */
    public static ByteBuf metadata(ByteBuf frame) {
        return frame.slice(metadataIndex(frame), metadataLength(frame));
    }

    /** The payload as an unretained slice (no copy). */
    public static ByteBuf payload(ByteBuf frame) {
        return frame.slice(payloadIndex(frame), payloadLength(frame));
    }

    /** The payload as a retained slice that the caller owns and must release. */
    public static ByteBuf retainedPayload(ByteBuf frame) {
        return frame.retainedSlice(payloadIndex(frame), payloadLength(frame));
    }

    /** The checksum stored in the trailer. */
    public static int checksum(ByteBuf frame) {
        return frame.getInt(payloadIndex(frame) + payloadLength(frame));
    }

    /** A one-line description of the header, for logs. Allocates; not for the hot path. */
    public static String describe(ByteBuf frame) {
        FrameType type = type(frame);
        StringBuilder sb = new StringBuilder()
                .append(type == null ? "type?" : type.name())
                .append(" stream=").append(streamId(frame))
                .append(" flags=").append(Flags.toString(flags(frame)));
        if (type != null && type.hasOpcode()) {
            sb.append(String.format(" opcode=0x%04x", opcode(frame)));
        }
        return sb.append(" codec=").append(Codecs.nameOf(codec(frame)))
                .append(" M=").append(metadataLength(frame))
                .append(" P=").append(payloadLength(frame))
                .toString();
    }
}
