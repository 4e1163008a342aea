/**
 * The admin HTTP port: health checks, Prometheus scrape, connections and sessions:
 * {@link org.mcpjava.observability.admin.AdminServer}.
 */
package org.mcpjava.observability.admin;
