package org.mcpjava.wire;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Walks the metadata entries of a frame without copying.
 *
 * <pre>{@code
 * MetadataCursor c = new MetadataCursor().reset(frame);
 * while (c.next()) {
 *     if (c.key() == MetadataKey.TOPIC.wire()) { ... c.value() ... }
 * }
 * }</pre>
 *
 * <p>Expects a section the decoder validated (entries fill M exactly). Value slices are not
 * retained: valid while the frame is. Not thread-safe; reusable through {@link #reset(ByteBuf)}.
 */
public final class MetadataCursor {
    private ByteBuf buf;
    private int position;
    private int end;
    private int key = -1;
    private int valueIndex;
    private int valueLength;

    /** Positions the cursor before the first entry of {@code frame}'s metadata. */
    public MetadataCursor reset(ByteBuf frame) {
        return reset(frame, FrameHeader.metadataIndex(frame), FrameHeader.metadataLength(frame));
    }

    /** Positions the cursor before the first entry of a metadata section at {@code index}. */
    public MetadataCursor reset(ByteBuf buf, int index, int length) {
        this.buf = buf;
        this.position = index;
        this.end = index + length;
        this.key = -1;
        return this;
    }

    /** Moves to the next entry; {@code false} when there is none. */
    public boolean next() {
        if (end - position < 3) {
            key = -1;
            return false;
        }
        key = buf.getUnsignedByte(position);
        valueLength = buf.getUnsignedShort(position + 1);
        valueIndex = position + 3;
        position = valueIndex + valueLength;
        return true;
    }

    /** The current entry's key byte. */
    public int key() {
        return key;
    }

    /** Absolute index of the current value's first byte. */
    public int valueIndex() {
        return valueIndex;
    }

    /** Length of the current value. */
    public int valueLength() {
        return valueLength;
    }

    /** The current value as an unretained slice. */
    public ByteBuf value() {
        return buf.slice(valueIndex, valueLength);
    }

    /** The current value decoded as UTF-8 (allocates a String). */
    public String valueAsString() {
        return buf.toString(valueIndex, valueLength, StandardCharsets.UTF_8);
    }

    /** The current value as an unsigned number (for 1, 2 and 4 byte values). */
    public long valueAsNumber() {
        switch (valueLength) {
            case 1:
                return buf.getUnsignedByte(valueIndex);
            case 2:
                return buf.getUnsignedShort(valueIndex);
            case 4:
                return buf.getUnsignedInt(valueIndex);
            default:
                throw new IllegalStateException("value of " + valueLength + " bytes is not a number");
        }
    }

    /** Whether the current entry is a named header (key 0xFF). */
    public boolean isNamedHeader() {
        return key == MetadataKey.NAMED_HEADER;
    }

    /** The current named header's name. */
    public String headerName() {
        int nameLength = buf.getUnsignedByte(valueIndex);
        return buf.toString(valueIndex + 1, nameLength, StandardCharsets.UTF_8);
    }

    /** The current named header's value as an unretained slice. */
    public ByteBuf headerValue() {
        int nameLength = buf.getUnsignedByte(valueIndex);
        return buf.slice(valueIndex + 1 + nameLength, valueLength - 1 - nameLength);
    }

    /** Whether the current named header's name equals {@code name} (ASCII names compare without allocating). */
    public boolean headerNameEquals(String name) {
        int nameLength = buf.getUnsignedByte(valueIndex);
        if (nameLength != name.length()) {
            return nameLength == name.getBytes(StandardCharsets.UTF_8).length && headerName().equals(name);
        }
        for (int i = 0; i < nameLength; i++) {
            char c = name.charAt(i);
            // The byte-per-char comparison is only valid for ASCII: "é" (C3 A9) must not equal "Ã©".
            if (c >= 0x80 || buf.getUnsignedByte(valueIndex + 1 + i) != c) {
                return headerName().equals(name);
            }
        }
        return true;
    }
}
