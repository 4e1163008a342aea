package org.mcpjava.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;

/**
 * Turns every failure into one {@code error: ...} line on standard error and an exit code from
 * {@link ExitCodes}: invalid arguments become {@link ExitCodes#USAGE} (picocli's own default would
 * be 2, which {@code mcp} reserves for bad frames), a {@link CliException} its own code, and any
 * other exception {@link ExitCodes#INTERNAL} with its stack trace.
 *
 * <p>Standard output is flushed first so that, in a terminal or a merged log, the error appears
 * after the results that preceded it.
 */
final class CliErrorHandler implements IParameterExceptionHandler, IExecutionExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        cmd.getOut().flush();
        PrintWriter err = cmd.getErr();
        err.println("error: " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        cmd.getOut().flush();
        PrintWriter err = cmd.getErr();
        int code;
        if (ex instanceof CliException) {
            err.println("error: " + ex.getMessage());
            code = ((CliException) ex).exitCode();
        } else {
            err.println("error: internal error: " + ex);
            ex.printStackTrace(err);
            code = ExitCodes.INTERNAL;
        }
        err.flush();
        return code;
    }
}
