package org.mcpjava.cli.decode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.mcpjava.wire.FrameDecoder;
import org.mcpjava.wire.FrameException;

import java.io.IOException;
import java.io.InputStream;

/**
 * Cuts every frame out of an {@link InputStream} with a {@link FrameDecoder}, hands each to a
 * {@link FramePrinter} as soon as it is complete (so a live pipe prints as it goes) and releases it.
 *
 * <p>Bytes are read in chunks into one cumulation buffer, the way a Netty pipeline would see them;
 * the decoder rejects an oversize frame from its header, before its body is buffered. At the end of
 * the stream, leftover bytes are a truncated frame ({@link FrameDecoder#checkEndOfStream}).
 *
 * <p>Single use, not thread-safe. {@link #framesRead()} and {@link #bytesRead()} tell where a
 * {@link FrameException} happened: at frame number {@code framesRead()}, input offset
 * {@code bytesRead()}.
 */
final class FrameStreamReader {
    private static final int CHUNK = 8192;

    private final FrameDecoder decoder;
    private final ByteBufAllocator allocator;
    private int framesRead;
    private long bytesRead;

    FrameStreamReader(FrameDecoder decoder, ByteBufAllocator allocator) {
        this.decoder = decoder;
        this.allocator = allocator;
    }

    /**
     * Reads {@code in} to its end (without closing it), printing every frame.
     *
     * @throws FrameException at the first invalid or truncated frame; frames before it were printed
     * @throws IOException if reading fails
     */
    void readAll(InputStream in, FramePrinter printer) throws IOException {
        ByteBuf cumulation = allocator.heapBuffer(CHUNK);
        try {
            boolean end = false;
            while (!end) {
                end = cumulation.writeBytes(in, CHUNK) < 0;
                drain(cumulation, printer);
                cumulation.discardSomeReadBytes();
            }
            decoder.checkEndOfStream(cumulation);
        } finally {
            cumulation.release();
        }
    }

    private void drain(ByteBuf cumulation, FramePrinter printer) {
        ByteBuf frame;
        while ((frame = decoder.decode(cumulation)) != null) {
            int length = frame.readableBytes();
            try {
                printer.print(framesRead, bytesRead, frame);
            } finally {
                frame.release();
            }
            framesRead++;
            bytesRead += length;
        }
    }

    /** How many whole frames were read so far. */
    int framesRead() {
        return framesRead;
    }

    /** Input offset just after the last whole frame. */
    long bytesRead() {
        return bytesRead;
    }
}
