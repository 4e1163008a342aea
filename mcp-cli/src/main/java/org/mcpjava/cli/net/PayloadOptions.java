package org.mcpjava.cli.net;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.mcpjava.cli.CliException;
import org.mcpjava.cli.ExitCodes;
import org.mcpjava.cli.format.HexText;
import org.mcpjava.codec.CodecRegistry;
import org.mcpjava.codec.PayloadCodec;
import org.mcpjava.core.Payload;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a command's payload comes from (text, hex, file or stdin) and which codec id it is tagged with. */
public final class PayloadOptions {
    @ArgGroup(exclusive = true)
    Source source;

    @Option(names = "--codec", defaultValue = "raw",
            description = "Codec the payload is tagged with: raw, json, protobuf, msgpack or an id (default ${DEFAULT-VALUE}).")
    String codec;

    static final class Source {
        @Option(names = {"-d", "--data"}, description = "Payload text (UTF-8).")
        String text;

        @Option(names = "--hex", description = "Payload as hex.")
        String hex;

        @Option(names = {"-f", "--file"}, description = "Payload from a file ('-' for stdin).")
        String file;
    }

    /** The payload to send (the caller hands it to the library). */
    Payload payload(String positional, InputStream stdin) {
        try {
            byte[] bytes;
            if (source != null && source.hex != null) {
                bytes = HexText.parse(source.hex);
            } else if (source != null && source.file != null) {
                bytes = "-".equals(source.file) ? stdin.readAllBytes() : Files.readAllBytes(Path.of(source.file));
            } else if (source != null && source.text != null) {
                bytes = source.text.getBytes(StandardCharsets.UTF_8);
            } else if (positional != null) {
                bytes = positional.getBytes(StandardCharsets.UTF_8);
            } else {
                bytes = new byte[0];
            }
            return Payload.of(codecId(), Unpooled.wrappedBuffer(bytes));
        } catch (IOException e) {
            throw CliException.io("cannot read payload: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    int codecId() {
        try {
            int id = Integer.parseInt(codec);
            if (id < 0 || id > 255) {
                throw CliException.usage("codec id must be 0-255: " + codec);
            }
            return id;
        } catch (NumberFormatException e) {
            PayloadCodec c = CodecRegistry.discover().byName(codec);
            if (c == null) {
                throw CliException.usage("unknown codec '" + codec + "' (raw, json, protobuf, msgpack, or an id)");
            }
            return c.id();
        }
    }

    /** Prints a reply: text when it is printable UTF-8, else hex. */
    static String render(Payload reply) {
        return render(reply.toBytes());
    }

    /** Renders bytes: text when printable UTF-8, else hex. */
    static String render(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        boolean printable = text.chars().allMatch(ch -> ch == '\n' || ch == '\r' || ch == '\t' || (ch >= 0x20 && ch != 0xFFFD));
        return printable ? text : ByteBufUtil.hexDump(bytes);
    }
}
