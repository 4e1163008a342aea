/**
 * End-to-end tests: the packaged tool run as a real subprocess through its launcher script, the
 * way a user runs it, alone ({@code mcp decode}) or as a server that in-process clients talk to and
 * that the tests kill ({@link org.mcpjava.e2e.ServerProcess}). They need
 * {@code mcp-cli/target/mcp.jar}, so failsafe runs them in the
 * {@code integration-test} phase, after the reactor has packaged mcp-cli. The fixtures they share
 * with the loopback tests ({@code Loopback}, {@code Inbox}, {@code NumberedStream}) come from
 * mcp-transport's test-jar, in this same package.
 */
package org.mcpjava.e2e;
