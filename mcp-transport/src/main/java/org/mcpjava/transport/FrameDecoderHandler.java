package org.mcpjava.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.mcpjava.wire.FrameDecoder;
import org.mcpjava.wire.FrameException;

import java.util.List;

/**
 * Turns a channel's byte stream into validated MCP/1 frames.
 *
 * <p>Each message passed on is one whole frame as a {@link ByteBuf} (see {@link FrameDecoder}); the
 * next handler owns it and releases it. Several frames in one read are all passed on; a frame
 * split over many reads is passed on when its last byte arrives, but its declared size is checked
 * against the maximum as soon as its header is in, so an oversize frame never gets buffered.
 *
 * <p>A violation fires {@code exceptionCaught} with a {@link FrameException} (wrapped in Netty's
 * {@code DecoderException}; use {@link #frameException(Throwable)} to find it) carrying the spec's
 * error code. From then on the stream cannot be trusted: further input is discarded, and the
 * connection handler is expected to send its ERROR and close. Bytes left over when the channel
 * closes are reported as a truncated frame (PROTOCOL_ERROR).
 *
 * <p>Not sharable: it buffers one connection's partial frame.
 */
public final class FrameDecoderHandler extends ByteToMessageDecoder {
    private final FrameDecoder decoder;
    private boolean failed;

    /** @param maxFrameLength the largest whole frame accepted (the MAX_FRAME this side announces) */
    public FrameDecoderHandler(int maxFrameLength) {
        this.decoder = new FrameDecoder(maxFrameLength);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            ByteBuf frame;
            while ((frame = decoder.decode(in)) != null) {
                out.add(frame);
            }
        } catch (FrameException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        decode(ctx, in, out);
        if (!failed) {
            try {
                decoder.checkEndOfStream(in);
            } finally {
                in.skipBytes(in.readableBytes());
            }
        }
    }

    /** Whether this handler has seen a framing error (its input is discarded from then on). */
    public boolean isFailed() {
        return failed;
    }

    /** The {@link FrameException} in {@code cause} or its causes, or {@code null}. */
    public static FrameException frameException(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof FrameException) {
                return (FrameException) t;
            }
        }
        return null;
    }
}
