package org.mcpjava.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.mcpjava.wire.Codecs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Codec 0: raw bytes. Encodes {@code byte[]}, {@link ByteBuffer}, {@link ByteBuf} and text (UTF-8). */
public final class RawCodec implements PayloadCodec {
    @Override
    public int id() {
        return Codecs.RAW;
    }

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == byte[].class || ByteBuffer.class.isAssignableFrom(type)
                || ByteBuf.class.isAssignableFrom(type) || type == String.class || CharSequence.class == type;
    }

    @Override
    public void encode(Object value, ByteBuf out) {
        if (value instanceof byte[]) {
            out.writeBytes((byte[]) value);
        } else if (value instanceof ByteBuffer) {
            out.writeBytes(((ByteBuffer) value).duplicate());
        } else if (value instanceof ByteBuf) {
            ByteBuf b = (ByteBuf) value;
            out.writeBytes(b, b.readerIndex(), b.readableBytes());
        } else if (value instanceof CharSequence) {
            ByteBufUtil.writeUtf8(out, (CharSequence) value);
        } else {
            throw new IllegalArgumentException("raw codec cannot encode " + (value == null ? "null" : value.getClass().getName()));
        }
    }

    @Override
    public <T> T decode(ByteBuf in, Class<T> type) {
        Object result;
        if (type == byte[].class) {
            result = ByteBufUtil.getBytes(in);
        } else if (type == String.class || type == CharSequence.class) {
            result = in.toString(StandardCharsets.UTF_8);
        } else if (type == ByteBuffer.class) {
            result = ByteBuffer.wrap(ByteBufUtil.getBytes(in));
        } else {
            throw new IllegalArgumentException("raw codec cannot decode into " + type.getName());
        }
        return type.cast(result);
    }
}
