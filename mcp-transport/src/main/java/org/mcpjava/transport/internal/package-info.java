/**
 * The connection engine: one {@link org.mcpjava.transport.internal.McpConnection} per channel,
 * with its server and client handshakes. Not public API: use
 * {@link org.mcpjava.server.McpServer} and {@link org.mcpjava.client.McpClient}.
 */
package org.mcpjava.transport.internal;
