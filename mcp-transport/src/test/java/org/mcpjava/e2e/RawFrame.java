package org.mcpjava.e2e;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.MetadataCursor;
import org.mcpjava.wire.MetadataKey;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One frame read by {@link RawMcpSocket}, copied out of the wire bytes into plain Java values so
 * tests hold no buffers.
 */
final class RawFrame {
    final FrameType type;
    final int flags;
    final int codec;
    final int opcode;
    final long streamId;
    final byte[] payload;
    private final Map<Integer, byte[]> metadata = new HashMap<>();

    /** Copies what it needs from a validated frame; does not release it. */
    RawFrame(ByteBuf frame) {
        this.type = FrameHeader.type(frame);
        this.flags = FrameHeader.flags(frame);
        this.codec = FrameHeader.codec(frame);
        this.opcode = FrameHeader.opcode(frame);
        this.streamId = FrameHeader.streamId(frame);
        ByteBuf p = FrameHeader.payload(frame);
        this.payload = new byte[p.readableBytes()];
        p.getBytes(p.readerIndex(), payload);
        MetadataCursor c = new MetadataCursor().reset(frame);
        while (c.next()) {
            byte[] v = new byte[c.valueLength()];
            frame.getBytes(c.valueIndex(), v);
            metadata.putIfAbsent(c.key(), v);
        }
    }

    /** Whether the metadata has {@code key}. */
    boolean has(MetadataKey key) {
        return metadata.containsKey(key.wire());
    }

    /** The raw value of {@code key}, or {@code null}. */
    byte[] bytes(MetadataKey key) {
        return metadata.get(key.wire());
    }

    /** The value of {@code key} as an unsigned number (1, 2 or 4 bytes), or -1 when absent. */
    long number(MetadataKey key) {
        byte[] v = metadata.get(key.wire());
        if (v == null) {
            return -1;
        }
        ByteBuf b = Unpooled.wrappedBuffer(v);
        switch (v.length) {
            case 1:
                return b.getUnsignedByte(0);
            case 2:
                return b.getUnsignedShort(0);
            case 4:
                return b.getUnsignedInt(0);
            default:
                throw new AssertionError(key + " has " + v.length + " bytes, not a number");
        }
    }

    /** The value of {@code key} as UTF-8, or {@code null}. */
    String string(MetadataKey key) {
        byte[] v = metadata.get(key.wire());
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** ERROR_CODE, or -1. */
    int errorCode() {
        return (int) number(MetadataKey.ERROR_CODE);
    }

    /** The payload as UTF-8 text. */
    String payloadUtf8() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return type + " stream=" + streamId + String.format(" opcode=0x%04x", opcode)
                + (metadata.containsKey(MetadataKey.ERROR_CODE.wire())
                ? " error=" + ErrorCode.nameOf(errorCode()) + " (" + string(MetadataKey.ERROR_MESSAGE) + ")" : "")
                + " payload=" + payload.length + "B";
    }
}
