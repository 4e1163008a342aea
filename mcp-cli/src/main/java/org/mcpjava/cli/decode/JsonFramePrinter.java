package org.mcpjava.cli.decode;

import io.netty.buffer.ByteBuf;
import org.mcpjava.cli.format.HexDump;
import org.mcpjava.cli.format.JsonWriter;
import org.mcpjava.cli.format.OpcodeNames;
import org.mcpjava.cli.format.TextPreview;
import org.mcpjava.wire.Codecs;
import org.mcpjava.wire.Flags;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.MetadataCursor;

import java.io.PrintWriter;

/**
 * Prints each frame as one JSON object on one line (JSON Lines), for scripts and {@code jq}:
 *
 * <pre>
 * {"index":0,"offset":0,"type":"PING","typeValue":3,"flags":"-","flagsValue":0,"codec":"raw",...}
 * </pre>
 *
 * Members: {@code index}, {@code offset}, {@code type}, {@code typeValue}, {@code flags},
 * {@code flagsValue}, {@code codec}, {@code codecValue}, {@code opcode}/{@code opcodeValue}/
 * {@code opcodeName} (only for types with an opcode; the name only for built-ins),
 * {@code streamId}, {@code metadataLength}, {@code payloadLength}, {@code length},
 * {@code checksum} (hex string), {@code metadata} (array, see {@link MetadataFormat#json}),
 * {@code payload} (the whole payload as hex, never cut) and {@code text} (only when the payload is
 * printable UTF-8). Not thread-safe.
 */
public final class JsonFramePrinter implements FramePrinter {
    private final PrintWriter out;
    private final MetadataCursor cursor = new MetadataCursor();

    /** @param out where the lines go (flushed after each) */
    public JsonFramePrinter(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void print(int index, long offset, ByteBuf frame) {
        StringBuilder sb = new StringBuilder(256);
        JsonWriter w = new JsonWriter(sb);
        FrameType type = FrameHeader.type(frame);
        int flags = FrameHeader.flags(frame);
        int codec = FrameHeader.codec(frame);
        w.beginObject()
                .field("index", index)
                .field("offset", offset)
                .field("type", type.name())
                .field("typeValue", type.wire())
                .field("flags", Flags.toString(flags))
                .field("flagsValue", flags)
                .field("codec", Codecs.nameOf(codec))
                .field("codecValue", codec);
        if (type.hasOpcode()) {
            int opcode = FrameHeader.opcode(frame);
            w.field("opcode", String.format("0x%04x", opcode)).field("opcodeValue", opcode);
            String name = OpcodeNames.nameOf(opcode);
            if (name != null) {
                w.field("opcodeName", name);
            }
        }
        w.field("streamId", FrameHeader.streamId(frame))
                .field("metadataLength", FrameHeader.metadataLength(frame))
                .field("payloadLength", FrameHeader.payloadLength(frame))
                .field("length", FrameHeader.frameLength(frame))
                .field("checksum", String.format("0x%08x", FrameHeader.checksum(frame)))
                .name("metadata").beginArray();
        cursor.reset(frame);
        while (cursor.next()) {
            MetadataFormat.json(w, cursor);
        }
        w.endArray();
        ByteBuf payload = FrameHeader.payload(frame);
        w.field("payload", HexDump.hex(payload));
        String text = TextPreview.printable(payload);
        if (text != null) {
            w.field("text", text);
        }
        w.endObject();
        out.println(sb);
        out.flush();
    }
}
