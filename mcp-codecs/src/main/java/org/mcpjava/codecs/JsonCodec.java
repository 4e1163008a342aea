package org.mcpjava.codecs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import org.mcpjava.wire.Codecs;

import java.io.InputStream;
import java.util.Objects;

/**
 * Codec 1: JSON text in UTF-8, through Jackson databind. Takes records, POJOs, maps, lists,
 * strings and numbers; not raw bytes (codec 0) nor Protocol Buffers messages (codec 2).
 *
 * <p>The default mapper ({@link #defaultMapper()}) ignores unknown properties and writes
 * {@code java.time} values as ISO-8601 text. A payload is exactly one JSON value: data after it
 * (other than whitespace) fails to decode, whatever the mapper's settings. Encoding streams into the target
 * buffer and decoding streams out of the source buffer: no intermediate {@code byte[]}.
 *
 * <p>Thread-safe: the mapper must not be reconfigured once handed to this codec.
 */
public final class JsonCodec extends JacksonCodec {
    /** Reads exactly one value: whatever the mapper says, data after it is an error. */
    private final ObjectReader reader;

    /** A codec with {@link #defaultMapper()}; the constructor {@link java.util.ServiceLoader} uses. */
    public JsonCodec() {
        this(defaultMapper());
    }

    /**
     * A codec with the caller's own mapper (modules, naming strategy, ...). The mapper must write
     * JSON: a mapper over another format (e.g. MessagePack) is rejected.
     */
    public JsonCodec(ObjectMapper mapper) {
        super(requireJson(mapper));
        this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private static ObjectMapper requireJson(ObjectMapper mapper) {
        Objects.requireNonNull(mapper, "mapper");
        String format = mapper.getFactory().getFormatName();
        if (!JsonFactory.FORMAT_NAME_JSON.equals(format)) {
            throw new IllegalArgumentException("JsonCodec needs a JSON mapper, not one for " + format);
        }
        return mapper;
    }

    /** A new mapper with this codec's default settings, for callers who want to start from them. */
    public static ObjectMapper defaultMapper() {
        return configure(new ObjectMapper())
                .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
    }

    @Override
    public int id() {
        return Codecs.JSON;
    }

    @Override
    public String name() {
        return "json";
    }

    @Override
    public <T> T decode(ByteBuf in, Class<T> type) throws Exception {
        requireDecodable(type);
        InputStream stream = new ByteBufInputStream(in);
        return reader.forType(type).readValue(stream);
    }

    @Override
    public String toString() {
        return "JsonCodec(1)";
    }
}
