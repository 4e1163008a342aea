package org.mcpjava.wire;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC-32C (Castagnoli) over a region of a {@link ByteBuf}, using the JDK's intrinsic
 * implementation without copying: heap buffers by array, direct buffers through their internal
 * NIO view (no allocation for pooled buffers).
 */
public final class Crc32c {
    private Crc32c() {
    }

    /** The CRC-32C of {@code length} bytes of {@code buf} from absolute {@code index}. */
    public static int compute(ByteBuf buf, int index, int length) {
        CRC32C crc = new CRC32C();
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            crc.update(buf.internalNioBuffer(index, length));
        } else {
            for (ByteBuffer nio : buf.nioBuffers(index, length)) {
                crc.update(nio);
            }
        }
        return (int) crc.getValue();
    }
}
