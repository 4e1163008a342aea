/**
 * End-to-end tests of the connection engine over real loopback sockets (127.0.0.1, port 0):
 * {@link org.mcpjava.server.McpServer} and {@link org.mcpjava.client.McpClient} against each other,
 * and against {@link org.mcpjava.e2e.RawMcpSocket}, a plain-socket peer that sends and reads exact
 * frames ({@link org.mcpjava.e2e.RawPubSub} adds the pub/sub frames and a chosen RECEIVE_WINDOW).
 * Time-dependent behaviour (keepalive, handshake timeout, session expiry) runs on a
 * {@link org.mcpjava.e2e.ManualTicker} or an injected wall clock; nothing sleeps. Server crashes at
 * exact points run on a {@link org.mcpjava.e2e.CrashableStore}; the SIGKILL of a real server
 * process is in the {@code mcp-e2e} module, which uses these fixtures through this module's
 * test-jar.
 */
package org.mcpjava.e2e;
