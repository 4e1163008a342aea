package org.mcpjava.codecs;

import org.junit.jupiter.api.Test;
import org.mcpjava.codec.CodecRegistry;
import org.mcpjava.codec.PayloadCodec;
import org.mcpjava.codec.RawCodec;
import org.mcpjava.wire.Codecs;

import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class DiscoveryTest {
    @Test
    void serviceLoaderFindsTheThreeCodecs() {
        Set<Class<?>> found = ServiceLoader.load(PayloadCodec.class).stream()
                .map(ServiceLoader.Provider::type)
                .collect(Collectors.toSet());
        assertEquals(Set.of(JsonCodec.class, ProtobufCodec.class, MsgPackCodec.class), found);
    }

    @Test
    void discoverPrefersJsonThenMessagePackThenProtobufThenRaw() {
        CodecRegistry registry = CodecRegistry.discover();
        List<Class<?>> types = registry.codecs().stream().map(Object::getClass).collect(Collectors.toList());
        assertEquals(List.of(JsonCodec.class, MsgPackCodec.class, ProtobufCodec.class, RawCodec.class), types);
        assertArrayEquals(new byte[] {Codecs.JSON, Codecs.MSGPACK, Codecs.PROTOBUF, Codecs.RAW}, registry.ids());
    }

    @Test
    void idsAndNamesMatchTheSpec() {
        CodecRegistry registry = CodecRegistry.discover();
        for (int id : new int[] {Codecs.RAW, Codecs.JSON, Codecs.PROTOBUF, Codecs.MSGPACK}) {
            PayloadCodec codec = registry.get(id);
            assertEquals(id, codec.id());
            assertEquals(Codecs.nameOf(id), codec.name());
            assertSame(codec, registry.byName(Codecs.nameOf(id).toUpperCase(Locale.ROOT)));
        }
    }
}
