package org.mcpjava.cli.decode;

import io.netty.buffer.ByteBuf;

/**
 * Prints one decoded frame. Called once per frame, in input order.
 *
 * <p><b>Ownership.</b> The frame is a validated frame (reader index at its first byte) that the
 * caller owns and releases after this method returns; a printer reads it and keeps nothing.
 */
public interface FramePrinter {
    /**
     * @param index the frame's position in the input, from 0
     * @param offset the input byte offset of the frame's first byte
     * @param frame the frame; not retained, not released
     */
    void print(int index, long offset, ByteBuf frame);
}
