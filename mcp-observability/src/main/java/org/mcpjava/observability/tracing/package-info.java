/**
 * OpenTelemetry tracing across the wire: {@link org.mcpjava.observability.tracing.McpTracing}.
 */
package org.mcpjava.observability.tracing;
