package org.mcpjava.codecs;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import org.mcpjava.codec.PayloadCodec;
import org.mcpjava.wire.Codecs;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Codec 2: Protocol Buffers, for generated message classes ({@link MessageLite} and its
 * subtypes, full or lite runtime). Decoding uses the class's static {@code parser()} (or
 * {@code getDefaultInstance().getParserForType()}), looked up once per class.
 *
 * <p>Encoding writes the message straight into the target buffer's memory when it is one
 * contiguous region (heap or direct), and through a stream otherwise. Decoding parses the
 * source buffer in place; the message copies what it keeps, so it never shares memory with it.
 *
 * <p>Stateless and thread-safe.
 */
public final class ProtobufCodec implements PayloadCodec {
    private static final ClassValue<Parser<?>> PARSERS = new ClassValue<>() {
        @Override
        protected Parser<?> computeValue(Class<?> type) {
            return findParser(type);
        }
    };

    /** The constructor {@link java.util.ServiceLoader} uses. */
    public ProtobufCodec() {
        // Touch protobuf-java now: without it on the class path this fails while
        // CodecRegistry.discover() instantiates the codec, which then leaves it out.
        MessageLite.class.getName();
    }

    @Override
    public int id() {
        return Codecs.PROTOBUF;
    }

    @Override
    public String name() {
        return "protobuf";
    }

    @Override
    public boolean supports(Class<?> type) {
        return MessageLite.class.isAssignableFrom(type);
    }

    @Override
    public void encode(Object value, ByteBuf out) throws IOException {
        if (!(value instanceof MessageLite)) {
            throw new IllegalArgumentException("protobuf codec encodes generated messages, not "
                    + (value == null ? "null" : value.getClass().getName()));
        }
        MessageLite message = (MessageLite) value;
        int size = message.getSerializedSize();
        out.ensureWritable(size);
        int start = out.writerIndex();
        if (out.nioBufferCount() == 1) {
            // One contiguous region: nioBuffer is a view of it (Netty's SslHandler writes into
            // it the same way), so protobuf encodes in place with no copy.
            CodedOutputStream coded = CodedOutputStream.newInstance(out.nioBuffer(start, size));
            message.writeTo(coded);
            coded.flush();
            coded.checkNoSpaceLeft();
            out.writerIndex(start + size);
        } else {
            message.writeTo(new ByteBufOutputStream(out));
        }
    }

    @Override
    public <T> T decode(ByteBuf in, Class<T> type) throws InvalidProtocolBufferException {
        Parser<?> parser = PARSERS.get(type);
        Object message = in.nioBufferCount() == 1
                ? parser.parseFrom(in.nioBuffer())
                : parser.parseFrom(new ByteBufInputStream(in));
        return type.cast(message);
    }

    private static Parser<?> findParser(Class<?> type) {
        if (!MessageLite.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("protobuf codec decodes into generated messages, not " + type.getName());
        }
        Method parser = staticMethod(type, "parser");
        if (parser != null && Parser.class.isAssignableFrom(parser.getReturnType())) {
            return (Parser<?>) invoke(parser);
        }
        Method defaultInstance = staticMethod(type, "getDefaultInstance");
        if (defaultInstance != null && type.isAssignableFrom(defaultInstance.getReturnType())) {
            return ((MessageLite) invoke(defaultInstance)).getParserForType();
        }
        throw new IllegalArgumentException(type.getName()
                + " has no static parser() or getDefaultInstance(): not a generated message class");
    }

    private static Method staticMethod(Class<?> type, String name) {
        try {
            Method m = type.getMethod(name);
            return Modifier.isStatic(m.getModifiers()) ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Object invoke(Method method) {
        try {
            return method.invoke(null);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalArgumentException("cannot call " + method + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return "ProtobufCodec(2)";
    }
}
