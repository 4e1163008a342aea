/**
 * {@code mcp decode}: reads MCP/1 frames from hex text or binary input, validates them with the wire
 * module's {@link org.mcpjava.wire.FrameDecoder} and prints every field, as text or as one JSON
 * object per frame.
 *
 * <p>{@link org.mcpjava.cli.decode.DecodeCommand} parses the options and opens the input;
 * {@link org.mcpjava.cli.decode.FrameStreamReader} cuts frames out of it; a
 * {@link org.mcpjava.cli.decode.FramePrinter} ({@link org.mcpjava.cli.decode.TextFramePrinter} or
 * {@link org.mcpjava.cli.decode.JsonFramePrinter}) prints each one while the reader still owns it.
 */
package org.mcpjava.cli.decode;
