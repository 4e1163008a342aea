package org.mcpjava.cli;

/**
 * The process exit codes of every {@code mcp} command, and their one-line descriptions for the
 * {@code exitCodeList} of a command's help (picocli's {@code "code:description"} form).
 */
public final class ExitCodes {
    /** The command did what it was asked. */
    public static final int OK = 0;
    /** Bad arguments or input text the command cannot parse (e.g. invalid hex). */
    public static final int USAGE = 1;
    /** The input bytes are not valid MCP/1; the spec's error name is printed first. */
    public static final int BAD_FRAME = 2;
    /** A file, stream or peer could not be read or reached. */
    public static final int IO_ERROR = 3;
    /** The peer answered with an MCP error code (printed by name), or the connection was lost. */
    public static final int REMOTE_ERROR = 4;
    /** The call's deadline passed (DEADLINE_EXCEEDED). */
    public static final int TIMEOUT = 5;
    /** A bug in the tool (an unexpected exception); the stack trace is printed. */
    public static final int INTERNAL = 70;

    /** Help line for {@link #OK}. */
    public static final String HELP_OK = "0:ok";
    /** Help line for {@link #USAGE}. */
    public static final String HELP_USAGE = "1:usage error (bad option, invalid hex)";
    /** Help line for {@link #BAD_FRAME}. */
    public static final String HELP_BAD_FRAME = "2:bad frame (the spec's error name is printed first, e.g. CHECKSUM_MISMATCH)";
    /** Help line for {@link #IO_ERROR}. */
    public static final String HELP_IO_ERROR = "3:I/O error (e.g. the file cannot be read)";
    /** Help line for {@link #REMOTE_ERROR}. */
    public static final String HELP_REMOTE_ERROR = "4:the server answered with an error code (printed by name, e.g. NOT_FOUND)";
    /** Help line for {@link #TIMEOUT}. */
    public static final String HELP_TIMEOUT = "5:the deadline passed (DEADLINE_EXCEEDED)";
    /** Help line for {@link #INTERNAL}. */
    public static final String HELP_INTERNAL = "70:internal error (a bug: please report the stack trace)";

    private ExitCodes() {
    }

    /**
     * The exit code for a failure carrying an MCP error: unreachable (UNAVAILABLE) is an I/O error,
     * DEADLINE_EXCEEDED a timeout, anything else the server's answer.
     */
    public static int forError(org.mcpjava.core.McpException e) {
        if (e.code() == org.mcpjava.wire.ErrorCode.UNAVAILABLE.code()) {
            return IO_ERROR;
        }
        if (e.code() == org.mcpjava.wire.ErrorCode.DEADLINE_EXCEEDED.code()) {
            return TIMEOUT;
        }
        return REMOTE_ERROR;
    }
}
