package org.mcpjava.cli.decode;

import io.netty.buffer.UnpooledByteBufAllocator;
import org.mcpjava.cli.CliException;
import org.mcpjava.cli.ExitCodes;
import org.mcpjava.cli.McpCommand;
import org.mcpjava.cli.format.HexText;
import org.mcpjava.wire.FrameDecoder;
import org.mcpjava.wire.FrameException;
import org.mcpjava.wire.FrameHeader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mcp decode}: decodes every MCP/1 frame in the input and prints its fields.
 *
 * <p>Input is hex text from the arguments, hex text from standard input, or binary bytes from a
 * file or standard input ({@code --file}). Frames are printed as they are decoded; at the first
 * invalid or truncated frame the command prints {@code error: <SPEC_ERROR_NAME>: ...} to standard
 * error and exits with {@link ExitCodes#BAD_FRAME}.
 */
@Command(name = "decode",
        mixinStandardHelpOptions = true,
        description = {
            "Decode and validate MCP/1 frames and print every field.",
            "",
            "Input, one of:",
            "  HEX...       hex in the arguments, joined (whitespace, ':', ','",
            "               and 0x prefixes are ignored)",
            "  - or none    hex text from standard input",
            "  --file PATH  binary bytes from a file (--file - : binary stdin)",
            "",
            "Every frame in the input is decoded, in order. At the first bad frame",
            "the frames before it have been printed; then 'error: <SPEC ERROR",
            "NAME>: <detail>' goes to standard error and the exit code is 2.",
            "",
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_USAGE, ExitCodes.HELP_BAD_FRAME, ExitCodes.HELP_IO_ERROR},
        footer = {"", "Example:", "  mcp decode 4d430103000000000000000000000000000800000000000000002a60c325bc"})
public final class DecodeCommand implements Callable<Integer> {
    private static final String STDIN = "-";

    @Spec
    private CommandSpec spec;

    @ParentCommand
    private McpCommand parent;

    @Parameters(paramLabel = "HEX", arity = "0..*", description = "Frame bytes as hex; '-' (or nothing) reads hex from standard input.")
    private List<String> hex = List.of();

    @Option(names = "--file", paramLabel = "PATH", description = "Read binary frames from PATH ('-' = standard input) instead of hex.")
    private String file;

    @Option(names = "--max-frame", paramLabel = "N",
            description = "Largest frame accepted, in bytes (22 + M + P), as a peer's MAX_FRAME (default: ${DEFAULT-VALUE}).")
    private int maxFrame = FrameHeader.DEFAULT_MAX_FRAME;

    @Option(names = "--json", description = "Print one JSON object per frame (JSON Lines) instead of text.")
    private boolean json;

    @Option(names = "--full", description = "Dump whole payloads (text output cuts them after " + TextFramePrinter.DUMP_LIMIT + " bytes).")
    private boolean full;

    @Override
    public Integer call() {
        FrameDecoder decoder = newDecoder();
        PrintWriter out = spec.commandLine().getOut();
        FramePrinter printer = json ? new JsonFramePrinter(out) : new TextFramePrinter(out, full);
        FrameStreamReader reader = new FrameStreamReader(decoder, UnpooledByteBufAllocator.DEFAULT);
        try (InputStream in = openInput()) {
            reader.readAll(in, printer);
        } catch (FrameException e) {
            throw new CliException(ExitCodes.BAD_FRAME, e.getMessage() + " (frame " + reader.framesRead()
                    + " at input offset " + reader.bytesRead() + ")", e);
        } catch (IOException e) {
            throw CliException.io("cannot read " + inputName() + ": " + reason(e), e);
        }
        return ExitCodes.OK;
    }

    private FrameDecoder newDecoder() {
        if (maxFrame < FrameHeader.OVERHEAD) {
            throw CliException.usage("--max-frame must be at least " + FrameHeader.OVERHEAD + " (an empty frame): " + maxFrame);
        }
        return new FrameDecoder(maxFrame);
    }

    /** The input as bytes; closing it never closes standard input. */
    private InputStream openInput() throws IOException {
        boolean hexStdin = hex.isEmpty() || hex.equals(List.of(STDIN));
        if (file != null) {
            if (!hex.isEmpty()) {
                throw CliException.usage("give either HEX arguments or --file, not both");
            }
            return STDIN.equals(file) ? unclosable(parent.stdin()) : openFile(Path.of(file));
        }
        if (!hexStdin && hex.contains(STDIN)) {
            throw CliException.usage("'-' (hex from standard input) cannot be mixed with HEX arguments");
        }
        String text = hexStdin
                ? new String(parent.stdin().readAllBytes(), StandardCharsets.UTF_8)
                : String.join(" ", hex);
        byte[] bytes;
        try {
            bytes = HexText.parse(text);
        } catch (IllegalArgumentException e) {
            String hint = hexStdin ? " (binary input? use --file -)" : "";
            throw CliException.usage(e.getMessage() + hint);
        }
        if (bytes.length == 0 && !hexStdin) {
            throw CliException.usage("no hex digits in the arguments");
        }
        return new ByteArrayInputStream(bytes);
    }

    private static InputStream openFile(Path path) {
        try {
            return Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw CliException.io("no such file: " + path, e);
        } catch (AccessDeniedException e) {
            throw CliException.io("permission denied: " + path, e);
        } catch (IOException e) {
            throw CliException.io("cannot open " + path + ": " + reason(e), e);
        }
    }

    private static String reason(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private String inputName() {
        return file == null || STDIN.equals(file) ? "standard input" : file;
    }

    /** Standard input belongs to the process, not to this command. */
    private static InputStream unclosable(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {
                // leave it open
            }
        };
    }
}
