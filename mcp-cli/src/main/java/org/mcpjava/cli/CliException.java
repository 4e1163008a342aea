package org.mcpjava.cli;

/**
 * A failure a command reports to the user: a message for standard error and the process exit
 * code. {@link CliErrorHandler} prints {@code error: <message>} and returns {@link #exitCode()};
 * no stack trace is shown, so the message must say what went wrong and, where it helps, what to do.
 */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /**
     * @param exitCode one of {@link ExitCodes}
     * @param message what went wrong, with the offending value
     * @param cause the underlying exception, or {@code null}
     */
    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Bad arguments or unparsable input: {@link ExitCodes#USAGE}. */
    public static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message, null);
    }

    /** Input or output failed: {@link ExitCodes#IO_ERROR}. */
    public static CliException io(String message, Throwable cause) {
        return new CliException(ExitCodes.IO_ERROR, message, cause);
    }

    /** The exit code the process ends with. */
    public int exitCode() {
        return exitCode;
    }
}
