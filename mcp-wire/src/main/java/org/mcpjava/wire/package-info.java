/**
 * The MCP/1 wire format: frame layout, frame types, flags, metadata, error codes, the frame
 * encoder ({@link org.mcpjava.wire.FrameWriter}) and the validating frame decoder
 * ({@link org.mcpjava.wire.FrameDecoder}).
 *
 * <p>This package knows bytes only: it depends on Netty's buffer API and nothing else, so every
 * other module (transport, client, server, tools) builds on frames that have already been
 * validated here.
 *
 * <p><b>Buffer ownership.</b> A frame is a {@link io.netty.buffer.ByteBuf} holding exactly one
 * whole frame (header, metadata, payload and checksum trailer), reader index at its first byte.
 * Whoever receives such a buffer owns one reference and releases it. Accessors such as
 * {@link org.mcpjava.wire.FrameHeader#payload(io.netty.buffer.ByteBuf)} return <em>unretained</em>
 * slices valid only while the frame is; call {@code retain()} / {@code retainedSlice()} to keep one.
 */
package org.mcpjava.wire;
