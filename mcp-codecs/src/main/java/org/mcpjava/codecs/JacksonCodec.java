package org.mcpjava.codecs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import org.mcpjava.codec.PayloadCodec;

import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * What the two Jackson-based codecs (JSON and MessagePack) share: the mapper, the default mapper
 * settings, which types they take, and streaming straight from Jackson into a {@link ByteBuf}.
 * Each codec checks its mapper's format and decodes on its own.
 *
 * <p>Thread-safe: the mapper must not be reconfigured once handed to a codec.
 *
 * <p>The public methods are not final so that javac adds public bridges to them in the public
 * codecs: reflection through {@code JsonCodec} and {@code MsgPackCodec} sees them as before.
 */
abstract class JacksonCodec implements PayloadCodec {
    private static final String PROTOBUF_MESSAGE = "com.google.protobuf.MessageLite";

    /**
     * Whether a type is a Protocol Buffers message, found by name so that the Jackson codecs work
     * without protobuf-java on the class path.
     */
    private static final ClassValue<Boolean> IS_PROTOBUF = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return implementsByName(type, PROTOBUF_MESSAGE);
        }
    };

    private final ObjectMapper mapper;

    /** A codec over {@code mapper}, which the subclass has checked. */
    JacksonCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Applies the settings both codecs use by default: unknown properties are ignored (a peer may
     * be newer) and {@code java.time} types are written as ISO-8601 text. Records need nothing:
     * Jackson 2.12+ binds them through their canonical constructor.
     */
    static <M extends ObjectMapper> M configure(M mapper) {
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        mapper.registerModule(new JavaTimeModule());
        mapper.configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false);
        return mapper;
    }

    /** The mapper in use; do not reconfigure it. */
    public ObjectMapper mapper() {
        return mapper;
    }

    /**
     * Object types: anything but raw bytes ({@code byte[]}, {@link ByteBuffer}, {@link ByteBuf},
     * which codec 0 carries) and Protocol Buffers messages (codec 2), so that a typed call picks
     * the codec made for them.
     */
    @Override
    public boolean supports(Class<?> type) {
        return type != byte[].class && !ByteBuffer.class.isAssignableFrom(type)
                && !ByteBuf.class.isAssignableFrom(type) && !IS_PROTOBUF.get(type);
    }

    /** Writes {@code value} at {@code out}'s writer index; Jackson's buffer is flushed straight into {@code out}. */
    @Override
    public void encode(Object value, ByteBuf out) throws Exception {
        if (value != null && !supports(value.getClass())) {
            throw new IllegalArgumentException(name() + " codec does not encode " + value.getClass().getName());
        }
        // ByteBufOutputStream is also a DataOutput: pick the OutputStream overload, which buffers.
        OutputStream stream = new ByteBufOutputStream(out);
        mapper.writeValue(stream, value);
    }

    /** Fails unless this codec decodes into {@code type}. */
    final void requireDecodable(Class<?> type) {
        if (!supports(type)) {
            throw new IllegalArgumentException(name() + " codec does not decode into " + type.getName());
        }
    }

    private static boolean implementsByName(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return true;
            }
            for (Class<?> i : c.getInterfaces()) {
                if (implementsByName(i, name)) {
                    return true;
                }
            }
        }
        return false;
    }
}
