/** The MCP client: {@link org.mcpjava.client.McpClient}, its builder and shared {@link org.mcpjava.client.ClientResources}. */
package org.mcpjava.client;
