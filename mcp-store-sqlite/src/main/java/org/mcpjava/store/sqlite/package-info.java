/**
 * The broker's durable {@link org.mcpjava.broker.store.SessionStore} on SQLite:
 * {@link org.mcpjava.store.sqlite.SqliteSessionStore} keeps sessions, subscriptions, outbound
 * queues, QoS 2 state and retained messages in one WAL-mode file, written by one thread in batched
 * transactions so that durability costs one commit per batch, not per message.
 * {@link org.mcpjava.store.sqlite.SqliteStoreOptions} tunes it. Everything in {@code .internal} is
 * implementation.
 */
package org.mcpjava.store.sqlite;
