/** The MCP server: {@link org.mcpjava.server.McpServer} and its builder. */
package org.mcpjava.server;
