/**
 * Implementation of the resilient client: the connection supervisor (state machine, dialing,
 * backoff, health checks), the outbox in front of the offline queue, call dispatch with
 * wait-for-ready and retries, and the SQLite queue writer. Not an API: it may change at any time.
 */
package org.mcpjava.resilience.internal;
