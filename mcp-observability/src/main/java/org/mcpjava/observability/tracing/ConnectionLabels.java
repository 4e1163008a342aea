package org.mcpjava.observability.tracing;

import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The span attributes of each established connection (session id and peer address as text),
 * computed once when it is established instead of once per request. Filled by the engine's
 * connection events; a connection it does not know (the observer was not installed) gets its
 * labels computed on the spot.
 */
final class ConnectionLabels implements EngineObserver {
    /** The labels of one connection. */
    record Labels(String sessionId, String peer) {
    }

    private final Map<Connection, Labels> labels = new ConcurrentHashMap<>();

    @Override
    public void connectionEstablished(Connection connection) {
        labels.put(connection, compute(connection));
    }

    @Override
    public void connectionClosed(Connection connection, int code) {
        labels.remove(connection);
    }

    Labels of(Connection connection) {
        Labels l = labels.get(connection);
        return l != null ? l : compute(connection);
    }

    private static Labels compute(Connection connection) {
        SocketAddress remote = connection.remoteAddress();
        return new Labels(connection.sessionId(), remote == null ? null : remote.toString());
    }
}
