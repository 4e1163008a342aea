package org.mcpjava.cli.net;

import org.mcpjava.cli.ExitCodes;
import org.mcpjava.cli.McpCommand;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.McpException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * Base of the commands that connect as a client: connects with {@link ConnectOptions}, runs
 * {@link #run(McpClient, PrintWriter)}, and turns MCP errors into an {@code error: CODE: ...} line
 * and an exit code ({@link ExitCodes#forError}).
 */
abstract class ClientCommand implements Callable<Integer> {
    @Mixin
    ConnectOptions connect;

    @Spec
    CommandSpec spec;

    @ParentCommand
    McpCommand parent;

    /** Does the command's work on a connected client; returns the exit code. */
    abstract int run(McpClient client, PrintWriter out) throws Exception;

    @Override
    public final Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (McpClient client = connect.clientBuilder("mcp-cli").connect()) {
            int code = run(client, out);
            out.flush();
            return code;
        } catch (McpException e) {
            out.flush();
            err.println("error: " + e.getMessage());
            err.flush();
            return ExitCodes.forError(e);
        }
    }
}
