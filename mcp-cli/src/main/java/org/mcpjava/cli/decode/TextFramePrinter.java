package org.mcpjava.cli.decode;

import io.netty.buffer.ByteBuf;
import org.mcpjava.cli.format.HexDump;
import org.mcpjava.cli.format.OpcodeNames;
import org.mcpjava.cli.format.TextPreview;
import org.mcpjava.wire.Codecs;
import org.mcpjava.wire.Flags;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.MetadataCursor;
import org.mcpjava.wire.MetadataKey;

import java.io.PrintWriter;

/**
 * Prints a frame for people: one labelled line per header field, one line per metadata entry, the
 * payload as a hex dump (cut after {@link #DUMP_LIMIT} bytes unless {@code full}) and, when the
 * payload is printable UTF-8, a one-line text preview. Frames are separated by a blank line.
 *
 * <pre>
 * frame 0 at offset 0
 *   type      PUBLISH (0x20)
 *   flags     QOS1 (0x01)
 *   ...
 * </pre>
 *
 * Not thread-safe (reuses one metadata cursor).
 */
public final class TextFramePrinter implements FramePrinter {
    /** Payload bytes dumped (and text characters previewed) unless {@code full}. */
    public static final int DUMP_LIMIT = 256;

    private static final String FIELD = "  %-9s %s%n";
    private static final String ENTRY = "    0x%02x %-23s %s%n";
    private static final String DUMP_INDENT = "    ";

    private final PrintWriter out;
    private final boolean full;
    private final MetadataCursor cursor = new MetadataCursor();

    /**
     * @param out where frames are printed (flushed after each)
     * @param full dump whole payloads instead of the first {@link #DUMP_LIMIT} bytes
     */
    public TextFramePrinter(PrintWriter out, boolean full) {
        this.out = out;
        this.full = full;
    }

    @Override
    public void print(int index, long offset, ByteBuf frame) {
        StringBuilder sb = new StringBuilder(512);
        if (index > 0) {
            sb.append('\n');
        }
        sb.append("frame ").append(index).append(" at offset ").append(offset).append('\n');
        FrameType type = FrameHeader.type(frame);
        int flags = FrameHeader.flags(frame);
        int codec = FrameHeader.codec(frame);
        field(sb, "type", String.format("%s (0x%02x)", type, type.wire()));
        field(sb, "flags", String.format("%s (0x%02x)", Flags.toString(flags), flags));
        field(sb, "codec", Codecs.nameOf(codec) + " (" + codec + ")");
        if (type.hasOpcode()) {
            field(sb, "opcode", OpcodeNames.describe(FrameHeader.opcode(frame)));
        }
        field(sb, "stream", Long.toString(FrameHeader.streamId(frame)));
        field(sb, "M", Integer.toString(FrameHeader.metadataLength(frame)));
        field(sb, "P", Integer.toString(FrameHeader.payloadLength(frame)));
        field(sb, "length", Integer.toString(FrameHeader.frameLength(frame)));
        field(sb, "checksum", String.format("0x%08x", FrameHeader.checksum(frame)));
        appendMetadata(sb, frame);
        appendPayload(sb, frame, codec);
        out.print(sb);
        out.flush();
    }

    private void appendMetadata(StringBuilder sb, ByteBuf frame) {
        int count = 0;
        cursor.reset(frame);
        while (cursor.next()) {
            count++;
        }
        field(sb, "metadata", count == 0 ? "none" : count + (count == 1 ? " entry" : " entries"));
        cursor.reset(frame);
        while (cursor.next()) {
            sb.append(String.format(ENTRY, cursor.key(), MetadataKey.nameOf(cursor.key()), MetadataFormat.text(cursor)));
        }
    }

    private void appendPayload(StringBuilder sb, ByteBuf frame, int codec) {
        int length = FrameHeader.payloadLength(frame);
        int index = FrameHeader.payloadIndex(frame);
        field(sb, "payload", length == 0 ? "none" : length + (length == 1 ? " byte" : " bytes"));
        int shown = full ? length : Math.min(length, DUMP_LIMIT);
        HexDump.append(sb, DUMP_INDENT, frame, index, shown);
        if (shown < length) {
            sb.append(DUMP_INDENT).append("... ").append(length - shown).append(" more bytes (--full shows all)\n");
        }
        String text = TextPreview.printable(frame, index, length);
        if (text != null) {
            field(sb, "text", TextPreview.oneLine(text, full ? Integer.MAX_VALUE : DUMP_LIMIT));
        } else if (codec == Codecs.JSON && length > 0) {
            field(sb, "text", "(json codec, but the payload is not printable UTF-8)");
        }
    }

    private static void field(StringBuilder sb, String label, String value) {
        sb.append(String.format(FIELD, label, value));
    }
}
