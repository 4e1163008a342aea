/**
 * MCP/1 over Netty channels. This is the only module that imports {@code io.netty.channel}; the
 * wire module below it knows bytes only.
 */
package org.mcpjava.transport;
