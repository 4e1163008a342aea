/**
 * The {@code mcp} command-line tool: the top command ({@link org.mcpjava.cli.McpCommand}), its
 * entry point ({@link org.mcpjava.cli.Main}) and the few helpers every subcommand shares: exit
 * codes ({@link org.mcpjava.cli.ExitCodes}), the error type that carries one
 * ({@link org.mcpjava.cli.CliException}) and the handler that prints errors
 * ({@link org.mcpjava.cli.CliErrorHandler}).
 *
 * <p>Each subcommand lives in its own package ({@code org.mcpjava.cli.decode}, ...) and is
 * registered in one line of {@link org.mcpjava.cli.McpCommand}'s {@code subcommands} list. A
 * subcommand writes results to {@code spec.commandLine().getOut()}, reads standard input through
 * {@link org.mcpjava.cli.McpCommand#stdin()}, and reports failures by throwing
 * {@link org.mcpjava.cli.CliException}; it never calls {@code System.exit}.
 *
 * <p>This is the only module that knows picocli.
 */
package org.mcpjava.cli;
