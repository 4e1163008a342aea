/**
 * Micrometer metrics for MCP servers and clients: {@link org.mcpjava.observability.metrics.McpMetrics}
 * is the entry point, {@link org.mcpjava.observability.metrics.MetricNames} the names it registers.
 */
package org.mcpjava.observability.metrics;
