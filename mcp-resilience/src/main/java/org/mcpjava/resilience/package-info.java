/**
 * A client that survives network loss, server restarts and failover: {@link
 * org.mcpjava.resilience.ResilientClient} (one session, reconnecting with backoff, resuming the
 * session, keeping what is published while offline in an {@link org.mcpjava.resilience.OfflineQueue})
 * and {@link org.mcpjava.resilience.ConnectionPool} (several connections for calls, health-aware,
 * with failover). Implementations live in {@code org.mcpjava.resilience.internal}.
 */
package org.mcpjava.resilience;
