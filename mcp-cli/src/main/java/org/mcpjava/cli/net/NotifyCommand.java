package org.mcpjava.cli.net;

import org.mcpjava.cli.ExitCodes;
import org.mcpjava.client.McpClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;

/** {@code mcp notify OPCODE [PAYLOAD]}: one one-way NOTIFY. */
@Command(name = "notify", mixinStandardHelpOptions = true, description = "Send one NOTIFY (one-way, no answer).")
public final class NotifyCommand extends ClientCommand {
    @Parameters(index = "0", converter = OpcodeConverter.class, description = "Opcode: 0x0001, 1, ...")
    int opcode;

    @Parameters(index = "1", arity = "0..1", description = "Payload text (or use --data/--hex/--file).")
    String text;

    @Mixin
    PayloadOptions payload;

    @Override
    int run(McpClient client, PrintWriter out) {
        McpClient.await(client.connection().notify(opcode, payload.payload(text, parent.stdin())));
        out.printf("sent NOTIFY 0x%04x%n", opcode);
        return ExitCodes.OK;
    }
}
