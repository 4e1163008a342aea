/**
 * The session store SPI: what a server must keep so that sessions, subscriptions, queued and
 * unacknowledged messages, QoS 2 state and retained messages survive a restart. An in-memory
 * implementation is here; the SQLite one (the server's default on disk) is in {@code mcp-store-sqlite}.
 */
package org.mcpjava.broker.store;
