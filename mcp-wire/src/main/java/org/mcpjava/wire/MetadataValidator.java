package org.mcpjava.wire;

import io.netty.buffer.ByteBuf;

/**
 * Checks the layout of a metadata section: entries fill exactly M bytes, non-repeatable keys
 * appear once, and defined keys have legal value lengths. Allocation-free.
 */
final class MetadataValidator {
    private MetadataValidator() {
    }

    static void validate(ByteBuf buf, int index, int length, FrameType type) {
        int end = index + length;
        // Keys seen so far, one bit per key byte 0-255.
        long seen0 = 0;
        long seen1 = 0;
        long seen2 = 0;
        long seen3 = 0;
        int i = index;
        while (i < end) {
            if (end - i < 3) {
                throw error(type, "metadata entry header at offset " + (i - index) + " runs past M=" + length);
            }
            int key = buf.getUnsignedByte(i);
            int valueLength = buf.getUnsignedShort(i + 1);
            int valueIndex = i + 3;
            if (valueLength > end - valueIndex) {
                throw error(type, "metadata entry " + MetadataKey.nameOf(key) + " of " + valueLength
                        + " bytes at offset " + (i - index) + " runs past M=" + length);
            }
            if (key == 0) {
                throw error(type, "metadata key 0 at offset " + (i - index));
            }
            if (!MetadataKey.mayRepeat(key, type)) {
                long bit = 1L << (key & 63);
                boolean repeated;
                switch (key >>> 6) {
                    case 0:
                        repeated = (seen0 & bit) != 0;
                        seen0 |= bit;
                        break;
                    case 1:
                        repeated = (seen1 & bit) != 0;
                        seen1 |= bit;
                        break;
                    case 2:
                        repeated = (seen2 & bit) != 0;
                        seen2 |= bit;
                        break;
                    default:
                        repeated = (seen3 & bit) != 0;
                        seen3 |= bit;
                        break;
                }
                if (repeated) {
                    throw error(type, "metadata key " + MetadataKey.nameOf(key) + " repeated");
                }
            }
            checkValue(buf, key, valueIndex, valueLength, type);
            i = valueIndex + valueLength;
        }
    }

    private static void checkValue(ByteBuf buf, int key, int valueIndex, int valueLength, FrameType type) {
        if (key == MetadataKey.NAMED_HEADER) {
            if (valueLength < 1 || buf.getUnsignedByte(valueIndex) > valueLength - 1) {
                throw error(type, "named header's name length does not fit its value of " + valueLength + " bytes");
            }
            return;
        }
        MetadataKey known = MetadataKey.fromWire(key);
        if (known == null) {
            return; // unknown defined-range keys are ignored; application keys are opaque
        }
        if (valueLength < known.minLength() || valueLength > known.maxLength()) {
            throw error(type, known + " value of " + valueLength + " bytes, expected "
                    + (known.minLength() == known.maxLength() ? String.valueOf(known.minLength())
                    : known.minLength() + "-" + known.maxLength()));
        }
        if (known == MetadataKey.SUBSCRIPTION && buf.getUnsignedByte(valueIndex) > 2) {
            throw error(type, "SUBSCRIPTION with max QoS " + buf.getUnsignedByte(valueIndex));
        }
    }

    private static FrameException error(FrameType type, String message) {
        return new FrameException(ErrorCode.PROTOCOL_ERROR, type + ": " + message);
    }
}
