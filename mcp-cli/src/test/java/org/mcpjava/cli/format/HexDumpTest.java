package org.mcpjava.cli.format;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HexDumpTest {

    @Test
    void dumpsLikeHexdumpC() {
        ByteBuf buf = Unpooled.copiedBuffer("xx{\"v\":21.5}\u0001abcdefghijkl", StandardCharsets.ISO_8859_1);
        try {
            StringBuilder sb = new StringBuilder();
            HexDump.append(sb, "> ", buf, 2, buf.readableBytes() - 2);
            assertEquals(
                    "> 00000000  7b 22 76 22 3a 32 31 2e  35 7d 01 61 62 63 64 65  |{\"v\":21.5}.abcde|\n"
                  + "> 00000010  66 67 68 69 6a 6b 6c                              |fghijkl|\n",
                    sb.toString());
            assertEquals("7b22", HexDump.hex(buf, 2, 2));
        } finally {
            buf.release();
        }
    }
}
