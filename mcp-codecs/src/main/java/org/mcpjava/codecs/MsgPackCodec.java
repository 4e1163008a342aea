package org.mcpjava.codecs;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import org.mcpjava.wire.Codecs;
import org.msgpack.jackson.dataformat.MessagePackFactory;
import org.msgpack.jackson.dataformat.MessagePackMapper;

import java.io.InputStream;
import java.util.Objects;

/**
 * Codec 3: MessagePack, through Jackson and {@code jackson-dataformat-msgpack}. Takes the same
 * types as {@link JsonCodec} and binds them the same way (records and POJOs become maps keyed by
 * property name), only in binary.
 *
 * <p>Thread-safe: the mapper must not be reconfigured once handed to this codec.
 */
public final class MsgPackCodec extends JacksonCodec {
    /** Without Jackson's trailing-token check, which MessagePackParser breaks; see {@link #decode}. */
    private final ObjectReader reader;

    /** A codec with {@link #defaultMapper()}; the constructor {@link java.util.ServiceLoader} uses. */
    public MsgPackCodec() {
        this(defaultMapper());
    }

    /** A codec with the caller's own mapper, which must be built on a {@link MessagePackFactory}. */
    public MsgPackCodec(ObjectMapper mapper) {
        super(requireMsgPack(mapper));
        this.reader = mapper.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private static ObjectMapper requireMsgPack(ObjectMapper mapper) {
        Objects.requireNonNull(mapper, "mapper");
        if (!(mapper.getFactory() instanceof MessagePackFactory)) {
            throw new IllegalArgumentException("MsgPackCodec needs a mapper over a MessagePackFactory, not "
                    + mapper.getFactory().getClass().getName());
        }
        return mapper;
    }

    /**
     * A new mapper with the same binding settings as {@link JsonCodec#defaultMapper()} (unknown
     * properties ignored, {@code java.time} as ISO-8601 text), over MessagePack.
     */
    public static ObjectMapper defaultMapper() {
        return configure(new MessagePackMapper());
    }

    @Override
    public int id() {
        return Codecs.MSGPACK;
    }

    @Override
    public String name() {
        return "msgpack";
    }

    /**
     * {@inheritDoc}
     *
     * <p>A payload is exactly one MessagePack value; bytes after it fail to decode. Jackson's own
     * check for that ({@code FAIL_ON_TRAILING_TOKENS}) cannot be used: at the end of the input
     * {@code MessagePackParser.nextToken()} throws instead of returning {@code null}, so the check
     * fails every payload. The parser reports the bytes it consumed as its location's char
     * offset, which is compared with the payload's length instead.
     */
    @Override
    public <T> T decode(ByteBuf in, Class<T> type) throws Exception {
        requireDecodable(type);
        int length = in.readableBytes();
        InputStream stream = new ByteBufInputStream(in);
        try (JsonParser parser = reader.createParser(stream)) {
            T value = reader.readValue(parser, type);
            long consumed = parser.currentLocation().getCharOffset();
            if (consumed != length) {
                throw new JsonParseException(parser, "msgpack payload of " + length + " bytes has "
                        + (length - consumed) + " after its value");
            }
            return value;
        }
    }

    @Override
    public String toString() {
        return "MsgPackCodec(3)";
    }
}
