/**
 * Logging for server processes on logback: JSON lines with the connection fields
 * ({@link org.mcpjava.observability.logging.ConnectionJsonProvider}), a plain layout for terminals,
 * and {@link org.mcpjava.observability.logging.LoggingSetup} to choose between them. Needs
 * logback-classic and logstash-logback-encoder on the class path (optional dependencies).
 */
package org.mcpjava.observability.logging;
