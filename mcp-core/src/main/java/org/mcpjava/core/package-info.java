/**
 * The MCP programming model shared by client and server: {@link org.mcpjava.core.Request},
 * {@link org.mcpjava.core.RequestHandler}, {@link org.mcpjava.core.Interceptor},
 * {@link org.mcpjava.core.Payload}, {@link org.mcpjava.core.McpException} and the injected
 * {@link org.mcpjava.core.Ticker}. Transports implement it; applications program against it.
 */
package org.mcpjava.core;
