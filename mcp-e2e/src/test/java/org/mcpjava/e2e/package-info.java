/**
 * End-to-end tests: the packaged tool run as a real subprocess through its launcher script, the
 * way a user runs it. They need {@code mcp-cli/target/mcp.jar}, so failsafe runs them in the
 * {@code integration-test} phase, after the reactor has packaged mcp-cli.
 */
package org.mcpjava.e2e;
