package org.mcpjava.cli;

/** Entry point of the {@code mcp} tool (the uber jar's {@code Main-Class}). */
public final class Main {
    private Main() {
    }

    /** Runs {@code mcp} with {@code args} and exits with the command's exit code ({@link ExitCodes}). */
    public static void main(String[] args) {
        System.exit(McpCommand.newCommandLine(System.in).execute(args));
    }
}
