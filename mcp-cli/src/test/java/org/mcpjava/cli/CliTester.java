package org.mcpjava.cli;

import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code mcp} in-process with captured standard input, output and error. */
public final class CliTester {
    private CliTester() {
    }

    /** What one run produced. */
    public record Result(int exitCode, String out, String err) {
        /** For assertion messages. */
        public String describe() {
            return "exit " + exitCode + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    /** Runs {@code mcp args...} with empty standard input. */
    public static Result run(String... args) {
        return runWithStdin(new byte[0], args);
    }

    /** Runs {@code mcp args...} reading {@code stdin}. */
    public static Result runWithStdin(byte[] stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = McpCommand.newCommandLine(new ByteArrayInputStream(stdin));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
