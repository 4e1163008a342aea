/** Observability and operations for MCP servers and clients. */
package org.mcpjava.observability;
