package org.mcpjava.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/**
 * Point lookups in a validated frame's metadata: a linear scan, no copy, no allocation except
 * where a method returns a String.
 */
public final class Metadata {
    /** Bytes an entry takes besides its value: key (1) and value length (2). */
    public static final int ENTRY_HEADER = 3;
    /** Bytes of an entry with a u32 value (TIMEOUT_MS, MESSAGE_EXPIRY_S, ...). */
    public static final int U32_ENTRY = ENTRY_HEADER + 4;

    /** Bytes of an entry whose value is {@code value} in UTF-8, without encoding it. */
    public static int utf8EntrySize(CharSequence value) {
        return ENTRY_HEADER + ByteBufUtil.utf8Bytes(value);
    }

    private Metadata() {
    }

    /**
     * Absolute index of the value of the first entry with {@code key}, or -1 if absent. The value's
     * length is the u16 at {@code index - 2}.
     */
    public static int find(ByteBuf frame, int key) {
        int i = FrameHeader.metadataIndex(frame);
        int end = i + FrameHeader.metadataLength(frame);
        while (end - i >= 3) {
            int length = frame.getUnsignedShort(i + 1);
            if (frame.getUnsignedByte(i) == key) {
                return i + 3;
            }
            i += 3 + length;
        }
        return -1;
    }

    /** Whether an entry with {@code key} is present. */
    public static boolean has(ByteBuf frame, MetadataKey key) {
        return find(frame, key.wire()) >= 0;
    }

    /** The value of {@code key} as an unsigned number (1, 2 or 4 bytes), or {@code absent}. */
    public static long number(ByteBuf frame, MetadataKey key, long absent) {
        int index = find(frame, key.wire());
        if (index < 0) {
            return absent;
        }
        switch (frame.getUnsignedShort(index - 2)) {
            case 1:
                return frame.getUnsignedByte(index);
            case 2:
                return frame.getUnsignedShort(index);
            case 4:
                return frame.getUnsignedInt(index);
            default:
                throw new IllegalStateException(key + " is not a number");
        }
    }

    /** The value of {@code key} decoded as UTF-8, or {@code null}. */
    public static String string(ByteBuf frame, MetadataKey key) {
        int index = find(frame, key.wire());
        return index < 0 ? null : frame.toString(index, frame.getUnsignedShort(index - 2), StandardCharsets.UTF_8);
    }

    /** The value of {@code key} as an unretained slice, or {@code null}. */
    public static ByteBuf value(ByteBuf frame, int key) {
        int index = find(frame, key);
        return index < 0 ? null : frame.slice(index, frame.getUnsignedShort(index - 2));
    }

    /** The value of {@code key} copied into a new array, or {@code null}. */
    public static byte[] bytes(ByteBuf frame, int key) {
        int index = find(frame, key);
        if (index < 0) {
            return null;
        }
        byte[] out = new byte[frame.getUnsignedShort(index - 2)];
        frame.getBytes(index, out);
        return out;
    }

    /** The first named header called {@code name}, decoded as UTF-8, or {@code null}. */
    public static String header(ByteBuf frame, String name) {
        MetadataCursor c = new MetadataCursor().reset(frame);
        while (c.next()) {
            if (c.isNamedHeader() && c.headerNameEquals(name)) {
                return c.headerValue().toString(StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
