package org.mcpjava.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.wire.Codecs;
import org.mcpjava.wire.ErrorCode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The codecs one side accepts, by id, in order of preference (the order announced in CODECS).
 * Immutable and thread-safe once built.
 */
public final class CodecRegistry {
    private final PayloadCodec[] byId = new PayloadCodec[256];
    private final List<PayloadCodec> ordered;

    private CodecRegistry(List<PayloadCodec> codecs) {
        for (PayloadCodec c : codecs) {
            byId[c.id()] = c;
        }
        this.ordered = Collections.unmodifiableList(new ArrayList<>(codecs));
    }

    /**
     * Every codec on the class path: those found through {@link ServiceLoader} (JSON, MessagePack,
     * Protobuf when {@code mcp-codecs} is present), then raw bytes.
     */
    public static CodecRegistry discover() {
        Builder b = builder();
        ServiceLoader<PayloadCodec> loader = ServiceLoader.load(PayloadCodec.class, CodecRegistry.class.getClassLoader());
        java.util.Iterator<PayloadCodec> it = loader.iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                PayloadCodec c = it.next();
                if (!b.has(c.id())) {
                    b.add(c);
                }
            } catch (ServiceConfigurationError | LinkageError e) {
                // A codec whose library is absent from the class path is simply not offered.
            }
        }
        if (!b.has(Codecs.RAW)) {
            b.add(new RawCodec());
        }
        return b.sortStandard().build();
    }

    /** Raw bytes only. */
    public static CodecRegistry rawOnly() {
        return builder().add(new RawCodec()).build();
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The codec with {@code id}, or {@code null}. */
    public PayloadCodec get(int id) {
        return (id & ~0xFF) == 0 ? byId[id] : null;
    }

    /** The codec named {@code name} (case-insensitive), or {@code null}. */
    public PayloadCodec byName(String name) {
        for (PayloadCodec c : ordered) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    /** Whether {@code id} is accepted. */
    public boolean accepts(int id) {
        return get(id) != null;
    }

    /** The codecs in order of preference. */
    public List<PayloadCodec> codecs() {
        return ordered;
    }

    /** The ids in order of preference, as announced in CODECS. */
    public byte[] ids() {
        byte[] ids = new byte[ordered.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (byte) ordered.get(i).id();
        }
        return ids;
    }

    /**
     * Encodes {@code value} with codec {@code id} into a new buffer from {@code alloc}.
     *
     * @throws McpException UNSUPPORTED_CODEC if {@code id} is unknown, INVALID_PAYLOAD if encoding fails
     */
    public Payload encode(ByteBufAllocator alloc, int id, Object value) {
        if (value instanceof Payload) {
            return (Payload) value;
        }
        PayloadCodec codec = get(id);
        if (codec == null) {
            throw new McpException(ErrorCode.UNSUPPORTED_CODEC, "no codec with id " + id + " (" + Codecs.nameOf(id) + ")");
        }
        ByteBuf out = alloc.buffer();
        try {
            codec.encode(value, out);
            return Payload.of(id, out);
        } catch (Exception | LinkageError e) {
            out.release();
            throw new McpException(ErrorCode.INVALID_PAYLOAD, codec.name() + " cannot encode "
                    + (value == null ? "null" : value.getClass().getName()) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes {@code payload} into {@code type} with the payload's own codec (not releasing it).
     *
     * @throws McpException UNSUPPORTED_CODEC or INVALID_PAYLOAD
     */
    public <T> T decode(Payload payload, Class<T> type) {
        if (type == Payload.class) {
            return type.cast(payload.retain());
        }
        PayloadCodec codec = get(payload.codec());
        if (codec == null) {
            throw new McpException(ErrorCode.UNSUPPORTED_CODEC, "payload in codec " + Codecs.nameOf(payload.codec())
                    + " which this side does not accept");
        }
        ByteBuf data = payload.data();
        try {
            return codec.decode(data.slice(), type);
        } catch (Exception | LinkageError e) {
            throw new McpException(ErrorCode.INVALID_PAYLOAD, "payload does not decode as " + codec.name()
                    + " into " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Collects codecs. */
    public static final class Builder {
        private final List<PayloadCodec> codecs = new ArrayList<>();

        private Builder() {
        }

        /** Adds {@code codec}; its id must be new. */
        public Builder add(PayloadCodec codec) {
            if (codec.id() < 0 || codec.id() > 255 || (codec.id() >= 4 && codec.id() < Codecs.APPLICATION_MIN)) {
                throw new IllegalArgumentException("codec id must be 0-3 or 128-255: " + codec.id());
            }
            if (has(codec.id())) {
                throw new IllegalArgumentException("codec id " + codec.id() + " registered twice");
            }
            codecs.add(codec);
            return this;
        }

        /** Whether a codec with {@code id} was added. */
        public boolean has(int id) {
            for (PayloadCodec c : codecs) {
                if (c.id() == id) {
                    return true;
                }
            }
            return false;
        }

        Builder sortStandard() {
            // Preference: JSON, MessagePack, Protobuf, application codecs, raw last.
            codecs.sort((a, b) -> Integer.compare(rank(a.id()), rank(b.id())));
            return this;
        }

        private static int rank(int id) {
            switch (id) {
                case Codecs.JSON:
                    return 0;
                case Codecs.MSGPACK:
                    return 1;
                case Codecs.PROTOBUF:
                    return 2;
                case Codecs.RAW:
                    return 1000;
                default:
                    return 10 + id;
            }
        }

        /** The registry. */
        public CodecRegistry build() {
            if (codecs.isEmpty()) {
                throw new IllegalStateException("a registry needs at least one codec");
            }
            return new CodecRegistry(codecs);
        }
    }
}
