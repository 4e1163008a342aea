/**
 * Payload codecs: the {@link org.mcpjava.codec.PayloadCodec} SPI and the
 * {@link org.mcpjava.codec.CodecRegistry} that finds codecs by their MCP/1 id. Raw bytes are built
 * in; JSON, Protocol Buffers and MessagePack come from the {@code mcp-codecs} module through
 * {@link java.util.ServiceLoader}.
 */
package org.mcpjava.codec;
