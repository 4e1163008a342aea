package org.mcpjava.cli.net;

import org.mcpjava.cli.ExitCodes;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Payload;
import org.mcpjava.wire.Codecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;

/** {@code mcp call OPCODE [PAYLOAD]}: one request, prints the response payload. */
@Command(name = "call", mixinStandardHelpOptions = true,
        description = "Send one REQUEST and print the RESPONSE payload (text if printable, else hex).")
public final class CallCommand extends ClientCommand {
    @Parameters(index = "0", converter = OpcodeConverter.class, description = "Opcode: 0x0001, 1, ECHO or INFO.")
    int opcode;

    @Parameters(index = "1", arity = "0..1", description = "Payload text (or use --data/--hex/--file).")
    String text;

    @Mixin
    PayloadOptions payload;

    @Option(names = {"-t", "--timeout"}, defaultValue = "10s", converter = DurationConverter.class,
            description = "Deadline, sent as TIMEOUT_MS (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = {"-v", "--verbose"}, description = "Also print the reply's codec and size, and the round-trip time.")
    boolean verbose;

    @Override
    int run(McpClient client, PrintWriter out) {
        long start = System.nanoTime();
        Payload reply = McpClient.await(client.call(opcode, payload.payload(text, parent.stdin()), timeout));
        try {
            if (verbose) {
                out.printf("# %s, %d bytes, %.3f ms%n", Codecs.nameOf(reply.codec()), reply.size(),
                        (System.nanoTime() - start) / 1e6);
            }
            out.println(PayloadOptions.render(reply));
        } finally {
            reply.release();
        }
        return ExitCodes.OK;
    }
}
