package org.mcpjava.cli;

import org.mcpjava.cli.decode.DecodeCommand;
import org.mcpjava.cli.net.BenchCommand;
import org.mcpjava.cli.net.CallCommand;
import org.mcpjava.cli.net.InfoCommand;
import org.mcpjava.cli.net.NotifyCommand;
import org.mcpjava.cli.net.PingCommand;
import org.mcpjava.cli.net.PubCommand;
import org.mcpjava.cli.net.SubCommand;
import org.mcpjava.cli.net.ServerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * The top command, {@code mcp}. It does nothing itself: it carries {@code --help} and
 * {@code --version} and dispatches to its subcommands.
 *
 * <p><b>Adding a subcommand</b> is one line: put its class in {@code subcommands} below. A
 * subcommand that needs standard input declares {@code @ParentCommand McpCommand parent} and reads
 * {@link #stdin()}, so tests can supply their own.
 */
@Command(name = "mcp",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Tools for MCP/1, the compact binary message protocol.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_USAGE, ExitCodes.HELP_BAD_FRAME,
            ExitCodes.HELP_IO_ERROR, ExitCodes.HELP_REMOTE_ERROR, ExitCodes.HELP_TIMEOUT, ExitCodes.HELP_INTERNAL},
        subcommands = {
            CommandLine.HelpCommand.class,
            ServerCommand.class,
            CallCommand.class,
            NotifyCommand.class,
            PubCommand.class,
            SubCommand.class,
            PingCommand.class,
            InfoCommand.class,
            BenchCommand.class,
            DecodeCommand.class,
        })
public final class McpCommand implements Callable<Integer> {
    private final InputStream stdin;

    @Spec
    private CommandSpec spec;

    /** A top command reading the process's standard input. */
    public McpCommand() {
        this(System.in);
    }

    /** @param stdin what subcommands read as standard input; not closed by them */
    public McpCommand(InputStream stdin) {
        this.stdin = Objects.requireNonNull(stdin, "stdin");
    }

    /**
     * A ready-to-execute command line: the {@code mcp} command tree with the error handling that maps
     * failures to {@link ExitCodes}. Set its out/err writers before {@code execute} to capture output.
     *
     * @param stdin what subcommands read as standard input
     */
    public static CommandLine newCommandLine(InputStream stdin) {
        CliErrorHandler errors = new CliErrorHandler();
        return new CommandLine(new McpCommand(stdin))
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
    }

    /** Standard input for subcommands. */
    public InputStream stdin() {
        return stdin;
    }

    /** {@code mcp} without a subcommand: prints the usage to standard error, a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}
