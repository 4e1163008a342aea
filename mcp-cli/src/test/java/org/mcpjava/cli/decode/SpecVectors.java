package org.mcpjava.cli.decode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** The four test vectors of MCP-SPEC section 10 (same text as mcp-wire's SpecVectorsTest). */
final class SpecVectors {
    static final String PING = "4d 43 01 03 00 00 00 00 00 00 00 00 00 00 00 00 00 08 00 00 00 00 00 00 00 2a 60 c3 25 bc";
    static final String REQUEST = "4d 43 01 10 00 00 ff 01 00 00 00 01 00 07 00 00 00 02 04 00 04 00 00 03 e8 68 69 fd 11 fd eb";
    static final String PUBLISH = "4d 43 01 20 01 01 00 00 00 00 00 07 00 0d 00 00 00 0a 01 00 0a 73 65 6e 73 6f 72 73 2f 74 31 "
            + "7b 22 76 22 3a 32 31 2e 35 7d 0d 57 e8 62";
    static final String HELLO = "4d 43 01 01 00 00 00 00 00 00 00 00 00 15 00 00 00 00 20 00 05 64 65 76 2d 31 21 00 04 00 00 75 30 "
            + "24 00 03 01 03 00 e6 b1 75 5d";
    /** All four, in the order above: frames at offsets 0, 30, 61 and 106; 149 bytes. */
    static final String ALL = PING + " " + REQUEST + " " + PUBLISH + " " + HELLO;

    private SpecVectors() {
    }

    /** The vector's text without spaces, as one command-line argument. */
    static String compact(String vector) {
        return vector.replace(" ", "");
    }

    static byte[] bytes(String vector) {
        return ByteBufUtil.decodeHexDump(compact(vector));
    }

    /** The frame's bytes, released. */
    static byte[] bytesOf(ByteBuf frame) {
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }
}
