package org.mcpjava.observability.admin;

import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers when each connection was established, for the admin API's connection list. One map
 * update per connection (not per frame). Thread-safe.
 */
final class ConnectionTracker implements EngineObserver {
    private final Map<Connection, Instant> established = new ConcurrentHashMap<>();

    @Override
    public void connectionEstablished(Connection connection) {
        established.put(connection, Instant.now());
    }

    @Override
    public void connectionClosed(Connection connection, int code) {
        established.remove(connection);
    }

    /** When {@code connection} was established, or {@code null} if not tracked. */
    Instant establishedAt(Connection connection) {
        return established.get(connection);
    }
}
