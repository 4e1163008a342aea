package org.mcpjava.cli.net;

import org.mcpjava.cli.ExitCodes;
import org.mcpjava.client.McpClient;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** {@code mcp info}: the server's INFO document. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Print the server's INFO (JSON).")
public final class InfoCommand extends ClientCommand {
    @Override
    int run(McpClient client, PrintWriter out) {
        out.println(McpClient.await(client.info()));
        return ExitCodes.OK;
    }
}
