package org.mcpjava.cli.decode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.mcpjava.cli.format.HexDump;
import org.mcpjava.cli.format.JsonWriter;
import org.mcpjava.cli.format.TextPreview;
import org.mcpjava.wire.Codecs;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.MetadataCursor;
import org.mcpjava.wire.MetadataKey;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders the value of the metadata entry under a {@link MetadataCursor} by its
 * {@link MetadataKey.Kind}: UTF-8 as quoted text, numbers in decimal (ERROR_CODE with its name),
 * CODECS as codec names, SUBSCRIPTION as QoS and filter, a named header as {@code name=value}, and
 * everything else (SESSION_ID, AUTH, application and unknown keys) as hex.
 *
 * <p>The decoder has already checked value lengths of defined keys, so numbers have their exact
 * width and a SUBSCRIPTION has a QoS byte. UTF-8 fields are not checked by the wire module; an
 * invalid one is shown as hex with a note. Stateless.
 */
final class MetadataFormat {
    private MetadataFormat() {
    }

    /** The current entry's value for text output. */
    static String text(MetadataCursor c) {
        if (c.isNamedHeader()) {
            String value = TextPreview.printable(c.headerValue());
            return c.headerName() + "=" + (value != null ? value : "0x" + HexDump.hex(c.headerValue()));
        }
        MetadataKey key = MetadataKey.fromWire(c.key());
        if (key == null) {
            return hexOrEmpty(c.value());
        }
        switch (key.kind()) {
            case UTF8:
                return quotedOrHex(c.value());
            case U8:
            case U16:
            case U32:
                long n = c.valueAsNumber();
                return key == MetadataKey.ERROR_CODE ? n + " (" + ErrorCode.nameOf((int) n) + ")" : Long.toString(n);
            case SUBSCRIPTION:
                ByteBuf v = c.value();
                return "qos " + v.getUnsignedByte(v.readerIndex()) + " " + quotedOrHex(v.slice(v.readerIndex() + 1, v.readableBytes() - 1));
            default:
                return key == MetadataKey.CODECS && c.valueLength() > 0
                        ? String.join(", ", codecNames(c.value())) : hexOrEmpty(c.value());
        }
    }

    /**
     * Writes the current entry as a JSON object: {@code key}, {@code name}, {@code length},
     * {@code hex} (the raw value, always) and {@code value} (the typed rendering: string, number,
     * array of codec names, {@code {"qos","filter"}}, {@code {"name","value"|"valueHex"}} for a named
     * header, or hex; {@code null} for invalid UTF-8), plus {@code errorName} for ERROR_CODE.
     */
    static void json(JsonWriter w, MetadataCursor c) {
        w.beginObject()
                .field("key", c.key())
                .field("name", MetadataKey.nameOf(c.key()))
                .field("length", c.valueLength())
                .field("hex", HexDump.hex(c.value()))
                .name("value");
        if (c.isNamedHeader()) {
            String value = TextPreview.printable(c.headerValue());
            w.beginObject().field("name", c.headerName());
            if (value != null) {
                w.field("value", value);
            } else {
                w.field("valueHex", HexDump.hex(c.headerValue()));
            }
            w.endObject().endObject();
            return;
        }
        MetadataKey key = MetadataKey.fromWire(c.key());
        switch (key == null ? MetadataKey.Kind.BYTES : key.kind()) {
            case UTF8:
                w.value(utf8(c.value()));
                break;
            case U8:
            case U16:
            case U32:
                w.value(c.valueAsNumber());
                if (key == MetadataKey.ERROR_CODE) {
                    w.field("errorName", ErrorCode.nameOf((int) c.valueAsNumber()));
                }
                break;
            case SUBSCRIPTION:
                ByteBuf v = c.value();
                w.beginObject()
                        .field("qos", v.getUnsignedByte(v.readerIndex()))
                        .field("filter", utf8(v.slice(v.readerIndex() + 1, v.readableBytes() - 1)))
                        .endObject();
                break;
            default:
                if (key == MetadataKey.CODECS) {
                    w.beginArray();
                    codecNames(c.value()).forEach(w::value);
                    w.endArray();
                } else {
                    w.value(HexDump.hex(c.value()));
                }
        }
        w.endObject();
    }

    private static List<String> codecNames(ByteBuf value) {
        List<String> names = new ArrayList<>(value.readableBytes());
        for (int i = value.readerIndex(); i < value.writerIndex(); i++) {
            names.add(Codecs.nameOf(value.getUnsignedByte(i)));
        }
        return names;
    }

    /** Valid UTF-8 as a string, otherwise {@code null} (JSON: the raw bytes are in {@code hex}). */
    private static String utf8(ByteBuf value) {
        return ByteBufUtil.isText(value, StandardCharsets.UTF_8) ? value.toString(StandardCharsets.UTF_8) : null;
    }

    private static String quotedOrHex(ByteBuf value) {
        String s = utf8(value);
        return s != null ? JsonWriter.quote(s) : "0x" + HexDump.hex(value) + " (not valid UTF-8)";
    }

    private static String hexOrEmpty(ByteBuf value) {
        return value.isReadable() ? HexDump.hex(value) : "(empty)";
    }
}
