package org.mcpjava.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.broker.store.SessionStore;

/**
 * The contract on {@link SqliteSessionStore} with a real file: a restart closes the store (without a
 * barrier: close must flush) and opens the file again, so every operation round-trips through disk.
 * After each test the file must pass SQLite's integrity check.
 */
class SqliteSessionStoreContractTest extends SessionStoreContract {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("store.db");
    }

    @Override
    protected SessionStore newStore() {
        // a small batch so that tests with a few thousand operations span many transactions
        return SqliteSessionStore.open(file(), SqliteStoreOptions.defaults().maxBatchSize(64));
    }

    @Override
    protected SessionStore restart(SessionStore store) {
        store.close();
        return newStore();
    }

    @AfterEach
    void fileIsIntact() throws SQLException {
        store.close();
        assertEquals("ok", integrityCheck(file()));
    }

    static String integrityCheck(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
