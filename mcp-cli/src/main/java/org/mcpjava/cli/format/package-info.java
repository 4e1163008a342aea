/**
 * Small text helpers shared by {@code mcp} subcommands: tolerant hex parsing
 * ({@link org.mcpjava.cli.format.HexText}), {@code hexdump -C}-style dumps
 * ({@link org.mcpjava.cli.format.HexDump}), a minimal JSON writer
 * ({@link org.mcpjava.cli.format.JsonWriter}), printable-text checks
 * ({@link org.mcpjava.cli.format.TextPreview}) and names for the built-in opcodes
 * ({@link org.mcpjava.cli.format.OpcodeNames}).
 *
 * <p>Nothing here knows picocli; buffers passed in are only read, never retained or released.
 */
package org.mcpjava.cli.format;
