package org.mcpjava.store.sqlite.internal;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.core.TraceContext;

/**
 * The writer's prepared statements, prepared once and reused for every mutation. Confined to the
 * writer thread (not thread-safe).
 *
 * <p>Operations that create a session implicitly (subscription, outbound message, QoS 2 id) first
 * make sure its {@code sessions} row exists; {@link #knownSessions} remembers which rows exist so that
 * costs one statement per session, not per message. After a rollback the cache is dropped, since the
 * rows it names may have been rolled back.
 */
final class Statements implements AutoCloseable {
    private final Set<ByteBuffer> knownSessions = new HashSet<>();

    private final PreparedStatement begin;
    private final PreparedStatement commit;
    private final PreparedStatement rollback;
    private final PreparedStatement ensureSession;
    private final PreparedStatement saveSession;
    private final PreparedStatement markDisconnected;
    private final PreparedStatement[] deleteSession;
    private final PreparedStatement saveSubscription;
    private final PreparedStatement deleteSubscription;
    private final PreparedStatement addOutbound;
    private final PreparedStatement updateOutbound;
    private final PreparedStatement removeOutbound;
    private final PreparedStatement addInbound;
    private final PreparedStatement removeInbound;
    private final PreparedStatement putRetained;
    private final PreparedStatement clearRetained;

    Statements(Connection c) throws SQLException {
        begin = c.prepareStatement("BEGIN IMMEDIATE");
        commit = c.prepareStatement("COMMIT");
        rollback = c.prepareStatement("ROLLBACK");
        ensureSession = c.prepareStatement("INSERT OR IGNORE INTO sessions"
                + " (id, client_id, owner, expiry_s, next_packet_id, disconnected_at) VALUES (?, NULL, NULL, 0, 0, 0)");
        saveSession = c.prepareStatement("INSERT INTO sessions"
                + " (id, client_id, owner, expiry_s, next_packet_id, disconnected_at) VALUES (?, ?, ?, ?, ?, 0)"
                + " ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, owner = excluded.owner,"
                + " expiry_s = excluded.expiry_s, next_packet_id = excluded.next_packet_id");
        markDisconnected = c.prepareStatement("UPDATE sessions SET disconnected_at = ? WHERE id = ?");
        deleteSession = new PreparedStatement[] {
            c.prepareStatement("DELETE FROM subscriptions WHERE session_id = ?"),
            c.prepareStatement("DELETE FROM outbound WHERE session_id = ?"),
            c.prepareStatement("DELETE FROM inbound_qos2 WHERE session_id = ?"),
            c.prepareStatement("DELETE FROM sessions WHERE id = ?"),
        };
        // An upsert, not INSERT OR REPLACE: it keeps the rowid, so load() returns subscriptions (and
        // retained topics) in first-insertion order, as the in-memory store's LinkedHashMap does.
        saveSubscription = c.prepareStatement("INSERT INTO subscriptions (session_id, filter, max_qos) VALUES (?, ?, ?)"
                + " ON CONFLICT (session_id, filter) DO UPDATE SET max_qos = excluded.max_qos");
        deleteSubscription = c.prepareStatement("DELETE FROM subscriptions WHERE session_id = ? AND filter = ?");
        addOutbound = c.prepareStatement("INSERT OR REPLACE INTO outbound"
                + " (session_id, seq, packet_id, state, topic, qos, retain, codec, payload, expires_at,"
                + " traceparent, tracestate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        updateOutbound = c.prepareStatement("UPDATE outbound SET packet_id = ?, state = ? WHERE session_id = ? AND seq = ?");
        removeOutbound = c.prepareStatement("DELETE FROM outbound WHERE session_id = ? AND seq = ?");
        addInbound = c.prepareStatement("INSERT OR IGNORE INTO inbound_qos2 (session_id, packet_id) VALUES (?, ?)");
        removeInbound = c.prepareStatement("DELETE FROM inbound_qos2 WHERE session_id = ? AND packet_id = ?");
        putRetained = c.prepareStatement("INSERT INTO retained"
                + " (topic, qos, retain, codec, payload, expires_at, traceparent, tracestate)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (topic) DO UPDATE SET qos = excluded.qos,"
                + " retain = excluded.retain, codec = excluded.codec, payload = excluded.payload,"
                + " expires_at = excluded.expires_at, traceparent = excluded.traceparent,"
                + " tracestate = excluded.tracestate");
        clearRetained = c.prepareStatement("DELETE FROM retained WHERE topic = ?");
    }

    void begin() throws SQLException {
        begin.execute();
    }

    void commit() throws SQLException {
        commit.execute();
    }

    /** Rolls back the open transaction, if any, and forgets which sessions exist. */
    void rollback() throws SQLException {
        knownSessions.clear();
        rollback.execute();
    }

    private void ensureSession(byte[] id) throws SQLException {
        if (knownSessions.add(ByteBuffer.wrap(id))) {
            ensureSession.setBytes(1, id);
            ensureSession.executeUpdate();
        }
    }

    void saveSession(byte[] id, String clientId, String owner, long expirySeconds, long nextPacketId) throws SQLException {
        saveSession.setBytes(1, id);
        saveSession.setString(2, clientId);
        saveSession.setString(3, owner);
        saveSession.setLong(4, expirySeconds);
        saveSession.setLong(5, nextPacketId);
        saveSession.executeUpdate();
        knownSessions.add(ByteBuffer.wrap(id));
    }

    void markDisconnected(byte[] id, long at) throws SQLException {
        markDisconnected.setLong(1, at);
        markDisconnected.setBytes(2, id);
        markDisconnected.executeUpdate();
    }

    void deleteSession(byte[] id) throws SQLException {
        for (PreparedStatement ps : deleteSession) {
            ps.setBytes(1, id);
            ps.executeUpdate();
        }
        knownSessions.remove(ByteBuffer.wrap(id));
    }

    void saveSubscription(byte[] id, String filter, int maxQos) throws SQLException {
        ensureSession(id);
        saveSubscription.setBytes(1, id);
        saveSubscription.setString(2, filter);
        saveSubscription.setInt(3, maxQos);
        saveSubscription.executeUpdate();
    }

    void deleteSubscription(byte[] id, String filter) throws SQLException {
        deleteSubscription.setBytes(1, id);
        deleteSubscription.setString(2, filter);
        deleteSubscription.executeUpdate();
    }

    void addOutbound(byte[] id, OutboundEntry e) throws SQLException {
        ensureSession(id);
        StoredMessage m = e.message();
        PreparedStatement ps = addOutbound;
        ps.setBytes(1, id);
        ps.setLong(2, e.sequence());
        ps.setLong(3, e.packetId());
        ps.setInt(4, Schema.code(e.state()));
        ps.setString(5, m.topic());
        ps.setInt(6, m.qos());
        ps.setInt(7, m.retain() ? 1 : 0);
        ps.setInt(8, m.codec());
        ps.setBytes(9, m.payload());
        ps.setLong(10, m.expiresAtMillis());
        setTrace(ps, 11, m.trace());
        ps.executeUpdate();
    }

    void updateOutbound(byte[] id, long sequence, long packetId, OutboundState state) throws SQLException {
        updateOutbound.setLong(1, packetId);
        updateOutbound.setInt(2, Schema.code(state));
        updateOutbound.setBytes(3, id);
        updateOutbound.setLong(4, sequence);
        updateOutbound.executeUpdate();
    }

    void removeOutbound(byte[] id, long sequence) throws SQLException {
        removeOutbound.setBytes(1, id);
        removeOutbound.setLong(2, sequence);
        removeOutbound.executeUpdate();
    }

    void addInboundQos2(byte[] id, long packetId) throws SQLException {
        ensureSession(id);
        addInbound.setBytes(1, id);
        addInbound.setLong(2, packetId);
        addInbound.executeUpdate();
    }

    void removeInboundQos2(byte[] id, long packetId) throws SQLException {
        removeInbound.setBytes(1, id);
        removeInbound.setLong(2, packetId);
        removeInbound.executeUpdate();
    }

    void putRetained(String topic, StoredMessage m) throws SQLException {
        putRetained.setString(1, topic);
        putRetained.setInt(2, m.qos());
        putRetained.setInt(3, m.retain() ? 1 : 0);
        putRetained.setInt(4, m.codec());
        putRetained.setBytes(5, m.payload());
        putRetained.setLong(6, m.expiresAtMillis());
        setTrace(putRetained, 7, m.trace());
        putRetained.executeUpdate();
    }

    /** Binds traceparent at {@code index} and tracestate after it, SQL NULL for none. */
    private static void setTrace(PreparedStatement ps, int index, TraceContext trace) throws SQLException {
        ps.setString(index, trace == null ? null : trace.traceparent());
        ps.setString(index + 1, trace == null ? null : trace.tracestate());
    }

    void clearRetained(String topic) throws SQLException {
        clearRetained.setString(1, topic);
        clearRetained.executeUpdate();
    }

    @Override
    public void close() throws SQLException {
        SQLException first = null;
        for (PreparedStatement ps : new PreparedStatement[] {begin, commit, rollback, ensureSession, saveSession,
                markDisconnected, deleteSession[0], deleteSession[1], deleteSession[2], deleteSession[3],
                saveSubscription, deleteSubscription, addOutbound, updateOutbound, removeOutbound, addInbound,
                removeInbound, putRetained, clearRetained}) {
            try {
                ps.close();
            } catch (SQLException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
