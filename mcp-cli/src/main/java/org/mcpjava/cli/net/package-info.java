/**
 * The {@code mcp} commands that talk over the network: {@code server}, {@code call},
 * {@code notify}, {@code ping}, {@code info} and {@code bench}, with their shared connection
 * options ({@link org.mcpjava.cli.net.ConnectOptions}).
 */
package org.mcpjava.cli.net;
