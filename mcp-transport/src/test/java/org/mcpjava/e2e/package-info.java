/**
 * End-to-end tests of the connection engine over real loopback sockets (127.0.0.1, port 0):
 * {@link org.mcpjava.server.McpServer} and {@link org.mcpjava.client.McpClient} against each other,
 * and against {@link org.mcpjava.e2e.RawMcpSocket}, a plain-socket peer that sends and reads exact
 * frames. Time-dependent behaviour (keepalive, handshake timeout) runs on a
 * {@link org.mcpjava.e2e.ManualTicker}; nothing sleeps.
 */
package org.mcpjava.e2e;
