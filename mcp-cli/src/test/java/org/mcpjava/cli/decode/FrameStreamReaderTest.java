package org.mcpjava.cli.decode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameDecoder;
import org.mcpjava.wire.FrameException;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mcpjava.cli.decode.SpecVectors.ALL;
import static org.mcpjava.cli.decode.SpecVectors.bytes;

/** Frame cutting over a stream: awkward read sizes, positions, and buffer release. */
class FrameStreamReaderTest {

    /** Hands out at most one byte per read, so every byte boundary is a chunk boundary. */
    private static final class TrickleInputStream extends ByteArrayInputStream {
        TrickleInputStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1));
        }
    }

    /** Records what it was given, keeping the (unretained) frame objects to check their refCnt later. */
    private static final class RecordingPrinter implements FramePrinter {
        final List<String> seen = new ArrayList<>();
        final List<ByteBuf> frames = new ArrayList<>();

        @Override
        public void print(int index, long offset, ByteBuf frame) {
            seen.add(index + "@" + offset + ":" + FrameHeader.type(frame));
            frames.add(frame);
        }

        void assertAllReleased() {
            frames.forEach(f -> assertEquals(0, f.refCnt(), "frame and cumulation released"));
        }
    }

    private static FrameStreamReader reader() {
        return new FrameStreamReader(new FrameDecoder(), UnpooledByteBufAllocator.DEFAULT);
    }

    @Test
    void framesSplitAtEveryByteBoundary() throws IOException {
        RecordingPrinter printer = new RecordingPrinter();
        FrameStreamReader reader = reader();
        reader.readAll(new TrickleInputStream(bytes(ALL)), printer);
        assertEquals(List.of("0@0:PING", "1@30:REQUEST", "2@61:PUBLISH", "3@106:HELLO"), printer.seen);
        assertEquals(4, reader.framesRead());
        assertEquals(149, reader.bytesRead());
        printer.assertAllReleased();
    }

    @Test
    void badFrameAfterGoodOnesReleasesEverything() {
        byte[] input = bytes(ALL);
        input[61 + 44] ^= 1; // PUBLISH's last CRC byte
        RecordingPrinter printer = new RecordingPrinter();
        FrameStreamReader reader = reader();
        FrameException e = assertThrows(FrameException.class,
                () -> reader.readAll(new ByteArrayInputStream(input), printer));
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, e.errorCode());
        assertEquals(2, reader.framesRead());
        assertEquals(61, reader.bytesRead());
        assertEquals(List.of("0@0:PING", "1@30:REQUEST"), printer.seen);
        printer.assertAllReleased();
    }

    @Test
    void truncatedTailIsAProtocolError() {
        byte[] input = Arrays.copyOf(bytes(ALL), 148);
        RecordingPrinter printer = new RecordingPrinter();
        FrameException e = assertThrows(FrameException.class,
                () -> reader().readAll(new TrickleInputStream(input), printer));
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.errorCode());
        assertEquals(FrameType.PUBLISH.name(), printer.seen.get(2).substring(5));
        printer.assertAllReleased();
    }
}
