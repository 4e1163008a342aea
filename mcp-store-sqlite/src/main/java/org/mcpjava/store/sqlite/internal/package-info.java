/**
 * Implementation of the SQLite session store: the schema, the queued operations, the single writer
 * thread that applies them in batched transactions, and the loader. Not API: may change at any time.
 */
package org.mcpjava.store.sqlite.internal;
