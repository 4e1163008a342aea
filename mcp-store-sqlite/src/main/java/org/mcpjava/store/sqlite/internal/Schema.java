package org.mcpjava.store.sqlite.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.mcpjava.broker.store.OutboundState;

/**
 * The store's tables, created when absent, the migration of a file written by an older build (in
 * place, on open), and the version check that refuses a file written by a newer one.
 *
 * <p>Every session that owns anything has a {@code sessions} row (created with defaults by the first
 * subscription, outbound message or QoS 2 id, like {@code InMemorySessionStore}), so loading starts
 * from {@code sessions}. {@code outbound} is a rowid table rather than {@code WITHOUT ROWID} because
 * its rows carry payloads of any size.
 */
public final class Schema {
    /** The version this build writes and reads (it migrates older files to it). */
    public static final int VERSION = 2;

    private static final String[] DDL = {
        "CREATE TABLE sessions ("
            + " id BLOB PRIMARY KEY, client_id TEXT, owner TEXT, expiry_s INTEGER NOT NULL,"
            + " next_packet_id INTEGER NOT NULL, disconnected_at INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE subscriptions ("
            + " session_id BLOB NOT NULL, filter TEXT NOT NULL, max_qos INTEGER NOT NULL,"
            + " PRIMARY KEY (session_id, filter))",
        "CREATE TABLE outbound ("
            + " session_id BLOB NOT NULL, seq INTEGER NOT NULL, packet_id INTEGER NOT NULL,"
            + " state INTEGER NOT NULL, topic TEXT NOT NULL, qos INTEGER NOT NULL, retain INTEGER NOT NULL,"
            + " codec INTEGER NOT NULL, payload BLOB NOT NULL, expires_at INTEGER NOT NULL,"
            + " traceparent TEXT, tracestate TEXT,"
            + " PRIMARY KEY (session_id, seq))",
        "CREATE TABLE inbound_qos2 ("
            + " session_id BLOB NOT NULL, packet_id INTEGER NOT NULL,"
            + " PRIMARY KEY (session_id, packet_id)) WITHOUT ROWID",
        "CREATE TABLE retained ("
            + " topic TEXT PRIMARY KEY, qos INTEGER NOT NULL, retain INTEGER NOT NULL, codec INTEGER NOT NULL,"
            + " payload BLOB NOT NULL, expires_at INTEGER NOT NULL, traceparent TEXT, tracestate TEXT)",
    };

    /**
     * Migrations, index {@code v - 1} taking a file from version {@code v} to {@code v + 1}. Only
     * additions of nullable columns so far, which SQLite makes without rewriting the tables.
     */
    private static final String[][] MIGRATIONS = {
        { // 1 -> 2: the trace context delivered with a message (TRACEPARENT / TRACESTATE), null for none
            "ALTER TABLE outbound ADD COLUMN traceparent TEXT",
            "ALTER TABLE outbound ADD COLUMN tracestate TEXT",
            "ALTER TABLE retained ADD COLUMN traceparent TEXT",
            "ALTER TABLE retained ADD COLUMN tracestate TEXT",
        },
    };

    private Schema() {
    }

    /**
     * Creates the schema in an empty file, or checks the version of an existing one and migrates an
     * older one, in one transaction (so two processes opening a new file at once do not both create
     * it, and a failed migration leaves the file as it was).
     *
     * @throws SQLException on a database error, or (as its cause-free message) an unsupported version
     */
    public static void ensure(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            try {
                st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
                Integer found = null;
                try (ResultSet rs = st.executeQuery("SELECT max(version), count(*) FROM schema_version")) {
                    if (rs.next() && rs.getInt(2) > 0) {
                        found = rs.getInt(1);
                    }
                }
                if (found == null) {
                    for (String ddl : DDL) {
                        st.execute(ddl);
                    }
                    st.execute("INSERT INTO schema_version (version) VALUES (" + VERSION + ")");
                } else if (found < 1 || found > VERSION) {
                    throw new SQLException("unsupported schema version " + found + " (this build reads versions 1-"
                            + VERSION + ")");
                } else if (found < VERSION) {
                    for (int v = found; v < VERSION; v++) {
                        for (String ddl : MIGRATIONS[v - 1]) {
                            st.execute(ddl);
                        }
                    }
                    st.execute("UPDATE schema_version SET version = " + VERSION);
                }
                st.execute("COMMIT");
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

    /** The stored code of {@code state}: stable, unlike the enum's ordinal. */
    static int code(OutboundState state) {
        switch (state) {
            case QUEUED:
                return 0;
            case PUBLISHED:
                return 1;
            case RELEASED:
                return 2;
            default:
                throw new IllegalArgumentException("unknown state: " + state);
        }
    }

    /** The state stored as {@code code}. */
    static OutboundState state(int code) {
        switch (code) {
            case 0:
                return OutboundState.QUEUED;
            case 1:
                return OutboundState.PUBLISHED;
            case 2:
                return OutboundState.RELEASED;
            default:
                throw new IllegalArgumentException("unknown stored outbound state: " + code);
        }
    }
}
