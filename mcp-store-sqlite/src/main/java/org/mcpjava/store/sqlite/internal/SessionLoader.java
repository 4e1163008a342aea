package org.mcpjava.store.sqlite.internal;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.SessionRecord;
import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.core.TraceContext;

/**
 * Reads the whole store back: sessions with their subscriptions (in first-insertion order),
 * outbound queues (by increasing sequence) and QoS 2 ids, and the retained messages. Runs on the
 * writer thread as a {@link StoreOp.Read}, in one read transaction so it sees one snapshot.
 */
public final class SessionLoader {
    private SessionLoader() {
    }

    private static final class Row {
        final byte[] id;
        String clientId;
        String owner;
        long expirySeconds;
        long disconnectedAt;
        long nextPacketId;
        final Map<String, Integer> subscriptions = new LinkedHashMap<>();
        final List<OutboundEntry> outbound = new ArrayList<>();
        final Set<Long> inboundQos2 = new HashSet<>();

        Row(byte[] id) {
            this.id = id;
        }

        SessionRecord toRecord() {
            return new SessionRecord(id, clientId, owner, expirySeconds, disconnectedAt, subscriptions, outbound,
                    inboundQos2, nextPacketId);
        }
    }

    /** Every stored session. */
    public static List<SessionRecord> loadSessions(Connection conn) throws SQLException {
        return inReadTransaction(conn, st -> {
            Map<ByteBuffer, Row> rows = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT id, client_id, owner, expiry_s, disconnected_at, next_packet_id"
                    + " FROM sessions")) {
                while (rs.next()) {
                    Row r = row(rows, rs.getBytes(1));
                    r.clientId = rs.getString(2);
                    r.owner = rs.getString(3);
                    r.expirySeconds = rs.getLong(4);
                    r.disconnectedAt = rs.getLong(5);
                    r.nextPacketId = rs.getLong(6);
                }
            }
            // Children of a session without a header row cannot be written by this build; should a
            // file have them, they load under a default header rather than vanish.
            try (ResultSet rs = st.executeQuery("SELECT session_id, filter, max_qos FROM subscriptions ORDER BY rowid")) {
                while (rs.next()) {
                    row(rows, rs.getBytes(1)).subscriptions.put(rs.getString(2), rs.getInt(3));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT session_id, seq, packet_id, state, topic, qos, retain, codec,"
                    + " payload, expires_at, traceparent, tracestate FROM outbound ORDER BY session_id, seq")) {
                while (rs.next()) {
                    StoredMessage m = new StoredMessage(rs.getString(5), rs.getInt(6), rs.getInt(7) != 0, rs.getInt(8),
                            payload(rs.getBytes(9)), rs.getLong(10), trace(rs.getString(11), rs.getString(12)));
                    row(rows, rs.getBytes(1)).outbound.add(
                            new OutboundEntry(rs.getLong(2), rs.getLong(3), Schema.state(rs.getInt(4)), m));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT session_id, packet_id FROM inbound_qos2")) {
                while (rs.next()) {
                    row(rows, rs.getBytes(1)).inboundQos2.add(rs.getLong(2));
                }
            }
            List<SessionRecord> out = new ArrayList<>(rows.size());
            for (Row r : rows.values()) {
                out.add(r.toRecord());
            }
            return out;
        });
    }

    /** Every retained message, topic -> message, in first-insertion order. */
    public static Map<String, StoredMessage> loadRetained(Connection conn) throws SQLException {
        return inReadTransaction(conn, st -> {
            Map<String, StoredMessage> out = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT topic, qos, retain, codec, payload, expires_at,"
                    + " traceparent, tracestate FROM retained ORDER BY rowid")) {
                while (rs.next()) {
                    String topic = rs.getString(1);
                    out.put(topic, new StoredMessage(topic, rs.getInt(2), rs.getInt(3) != 0, rs.getInt(4),
                            payload(rs.getBytes(5)), rs.getLong(6), trace(rs.getString(7), rs.getString(8))));
                }
            }
            return out;
        });
    }

    private static Row row(Map<ByteBuffer, Row> rows, byte[] id) {
        return rows.computeIfAbsent(ByteBuffer.wrap(id), k -> new Row(id));
    }

    /** The stored trace context; {@code null} for rows without one, such as rows from version 1 files. */
    private static TraceContext trace(String traceparent, String tracestate) {
        return TraceContext.of(traceparent, tracestate);
    }

    /** The driver may return null for a zero-length blob. */
    private static byte[] payload(byte[] bytes) {
        return bytes == null ? new byte[0] : bytes;
    }

    private interface Body<T> {
        T run(Statement st) throws SQLException;
    }

    private static <T> T inReadTransaction(Connection conn, Body<T> body) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("BEGIN");
            try {
                T result = body.run(st);
                st.execute("COMMIT");
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    st.execute("ROLLBACK");
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }
}
