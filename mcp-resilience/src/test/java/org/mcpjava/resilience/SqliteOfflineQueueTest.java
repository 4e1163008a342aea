package org.mcpjava.resilience;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqliteOfflineQueueTest extends OfflineQueueContract {
    @TempDir
    Path dir;

    @Override
    OfflineQueue open() {
        return SqliteOfflineQueue.open(dir.resolve("queue.db"));
    }

    @Override
    OfflineQueue reopen(OfflineQueue closed) {
        return SqliteOfflineQueue.open(((SqliteOfflineQueue) closed).file());
    }

    @Test
    void aSecondUserOfTheFileIsRefused() {
        Path file = dir.resolve("busy.db");
        try (SqliteOfflineQueue first = SqliteOfflineQueue.open(file)) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SqliteOfflineQueue.open(file));
            assertTrue(e.getMessage().contains("another client"), e.getMessage());
        }
        SqliteOfflineQueue.open(file).close(); // free again once closed
    }

    @Test
    void flushMakesAppendsVisibleToAnotherReaderOfTheFile() throws Exception {
        Path file = dir.resolve("flush.db");
        SqliteOfflineQueue q = SqliteOfflineQueue.open(file);
        for (long i = 1; i <= 3; i++) {
            q.append(message(i));
        }
        q.flush().join();
        q.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM messages")) {
            assertTrue(rs.next());
            assertEquals(3, rs.getInt(1));
        }
        assertTrue(Files.size(file) > 0);
    }

    @Test
    void aFileThatIsNotADatabaseIsRefused() throws Exception {
        Path file = dir.resolve("junk.db");
        Files.writeString(file, "this is not SQLite, and it is long enough to have a header of sorts...".repeat(20));
        assertThrows(UncheckedIOException.class, () -> SqliteOfflineQueue.open(file));
    }

    @Test
    void largeBatchesSurviveAReopen() {
        Path file = dir.resolve("large.db");
        SqliteOfflineQueue q = SqliteOfflineQueue.open(file);
        for (long i = 1; i <= 50_000; i++) {
            q.append(message(i));
        }
        for (long i = 1; i <= 50_000; i += 2) {
            q.remove(i);
        }
        q.close(); // close commits what is queued, without a flush
        try (SqliteOfflineQueue again = SqliteOfflineQueue.open(file)) {
            List<QueuedMessage> got = again.recover();
            assertEquals(25_000, got.size());
            assertEquals(2, got.get(0).sequence());
            assertEquals(50_000, got.get(got.size() - 1).sequence());
        }
    }
}
