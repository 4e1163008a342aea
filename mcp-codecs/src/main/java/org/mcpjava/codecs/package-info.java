/**
 * The MCP/1 payload codecs beyond raw bytes: {@link org.mcpjava.codecs.JsonCodec} (id 1),
 * {@link org.mcpjava.codecs.ProtobufCodec} (id 2) and {@link org.mcpjava.codecs.MsgPackCodec}
 * (id 3). With this module on the class path, {@link org.mcpjava.codec.CodecRegistry#discover()}
 * finds them through {@link java.util.ServiceLoader} and prefers JSON, then MessagePack, then
 * Protocol Buffers, then raw bytes.
 *
 * <p>All codecs are thread-safe. They write at the target buffer's writer index and read the
 * source buffer's readable bytes without retaining it; buffer ownership stays with the caller.
 */
package org.mcpjava.codecs;
