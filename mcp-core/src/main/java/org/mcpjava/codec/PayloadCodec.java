package org.mcpjava.codec;

import io.netty.buffer.ByteBuf;

/**
 * Turns application objects into payload bytes and back, for one codec id. Implementations are
 * stateless and thread-safe. Registered with {@link CodecRegistry}, or found through
 * {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/org.mcpjava.codec.PayloadCodec}; it needs a public no-arg constructor).
 */
public interface PayloadCodec {
    /** The codec id on the wire: 0-3 as MCP/1 defines, 128-255 for application codecs. */
    int id();

    /** A short name for logs and the CLI, e.g. {@code json}. */
    String name();

    /** Whether this codec can encode {@code value} / decode into {@code type}. */
    boolean supports(Class<?> type);

    /** Writes {@code value} into {@code out} at its writer index. */
    void encode(Object value, ByteBuf out) throws Exception;

    /**
     * Reads the readable bytes of {@code in} as a {@code type}. Must not retain {@code in}: the
     * result may not share memory with it.
     */
    <T> T decode(ByteBuf in, Class<T> type) throws Exception;
}
