package org.mcpjava.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.SessionRecord;
import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.core.TraceContext;
import org.sqlite.SQLiteCommitListener;
import org.sqlite.SQLiteConnection;

/** What is particular to the SQLite store: durability, batching, failures, the file, close. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SqliteSessionStoreTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("store.db");
    }

    private static byte[] id(int n) {
        return SessionStoreContract.id(n);
    }

    private static OutboundEntry entry(long seq) {
        return new OutboundEntry(seq, 0, OutboundState.QUEUED,
                new StoredMessage("t", 1, false, 0, ("m" + seq).getBytes(StandardCharsets.UTF_8), 0));
    }

    private static Connection connect(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<Long> sequences(SqliteSessionStore store, byte[] id) {
        List<Long> out = new ArrayList<>();
        for (SessionRecord r : store.load()) {
            if (Snap.hex(r.sessionId()).equals(Snap.hex(id))) {
                r.outbound().forEach(e -> out.add(e.sequence()));
            }
        }
        return out;
    }

    /** Counts the commits of the store's connection from now on (read on the writer thread). */
    private static AtomicInteger countCommits(SqliteSessionStore store) {
        AtomicInteger commits = new AtomicInteger();
        store.read(conn -> {
            conn.unwrap(SQLiteConnection.class).addCommitListener(new SQLiteCommitListener() {
                @Override
                public void onCommit() {
                    commits.incrementAndGet();
                }

                @Override
                public void onRollback() {
                }
            });
            return null;
        });
        return commits;
    }

    /** Parks the writer thread until the returned latch is released: what is queued meanwhile waits. */
    private static CountDownLatch parkWriter(SqliteSessionStore store) throws InterruptedException {
        CountDownLatch parked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread t = new Thread(() -> store.read(conn -> {
            parked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        t.setDaemon(true);
        t.start();
        parked.await();
        return release;
    }

    @Test
    void aCompletedBarrierMeansASecondConnectionSeesTheData() throws Exception {
        try (SqliteSessionStore store = SqliteSessionStore.open(file())) {
            store.saveSession(id(1), "c", "o", 60, 1);
            for (int i = 0; i < 100; i++) {
                store.addOutbound(id(1), entry(i));
            }
            store.putRetained("r", new StoredMessage("r", 1, true, 0, new byte[] {7}, 0));
            store.barrier().get(30, TimeUnit.SECONDS);

            // the store is still open: the data is committed, not merely flushed by a close
            try (Connection c = connect(file())) {
                assertEquals(1, count(c, "SELECT count(*) FROM sessions"));
                assertEquals(100, count(c, "SELECT count(*) FROM outbound"));
                assertEquals(99, count(c, "SELECT max(seq) FROM outbound"));
                assertEquals(1, count(c, "SELECT count(*) FROM retained"));
            }
            try (SqliteSessionStore second = SqliteSessionStore.open(file())) {
                assertEquals(100, sequences(second, id(1)).size());
                assertEquals(Set.of("r"), second.loadRetained().keySet());
            }
        }
    }

    @Test
    void closeCommitsEverythingQueuedWithoutABarrier() {
        SqliteSessionStore store = SqliteSessionStore.open(file(), SqliteStoreOptions.defaults().maxBatchSize(100));
        for (int i = 0; i < 10_000; i++) {
            store.addOutbound(id(1), entry(i));
        }
        store.close();
        try (SqliteSessionStore reopened = SqliteSessionStore.open(file())) {
            List<Long> seqs = sequences(reopened, id(1));
            assertEquals(10_000, seqs.size());
            assertEquals(9_999L, seqs.get(seqs.size() - 1));
        }
    }

    @Test
    void closeIsIdempotentAndEverythingElseThrowsAfterIt() {
        SqliteSessionStore store = SqliteSessionStore.open(file());
        store.close();
        store.close();
        byte[] id = id(1);
        List<Executable> calls = List.of(
                store::load,
                store::loadRetained,
                () -> store.saveSession(id, "c", "o", 1, 1),
                () -> store.markDisconnected(id, 1),
                () -> store.deleteSession(id),
                () -> store.saveSubscription(id, "a", 1),
                () -> store.deleteSubscription(id, "a"),
                () -> store.addOutbound(id, entry(1)),
                () -> store.updateOutbound(id, 1, 1, OutboundState.PUBLISHED),
                () -> store.removeOutbound(id, 1),
                () -> store.addInboundQos2(id, 1),
                () -> store.removeInboundQos2(id, 1),
                () -> store.putRetained("t", null),
                () -> store.group(() -> { }),
                store::barrier);
        for (Executable call : calls) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @Test
    void aNewFileGetsTheSchemaInWalMode() throws Exception {
        SqliteSessionStore.open(file()).close();
        SqliteSessionStore.open(file()).close(); // a second open finds, not recreates, the schema
        try (Connection c = connect(file()); Statement st = c.createStatement()) {
            Set<String> tables = new TreeSet<>();
            try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertEquals(Set.of("schema_version", "sessions", "subscriptions", "outbound", "inbound_qos2", "retained"),
                    tables);
            assertEquals(1, count(c, "SELECT count(*) FROM schema_version"));
            assertEquals(2, count(c, "SELECT version FROM schema_version"));
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertEquals("wal", rs.getString(1)); // WAL is a property of the file
            }
        }
    }

    @Test
    void openCreatesMissingParentDirectories() {
        Path nested = dir.resolve("a/b/c/store.db");
        SqliteSessionStore.open(nested).close();
        assertTrue(Files.isRegularFile(nested));
    }

    @Test
    void aFileOfANewerSchemaVersionIsRefused() throws Exception {
        try (Connection c = connect(file()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            st.execute("INSERT INTO schema_version VALUES (3)");
        }
        SqliteStoreException e = assertThrows(SqliteStoreException.class, () -> SqliteSessionStore.open(file()));
        assertTrue(e.getMessage().contains("unsupported schema version 3"), e.getMessage());
    }

    /** The schema of version 1 files, as the first release wrote them (before trace context). */
    private static final String[] VERSION_1 = {
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        "INSERT INTO schema_version (version) VALUES (1)",
        "CREATE TABLE sessions (id BLOB PRIMARY KEY, client_id TEXT, owner TEXT, expiry_s INTEGER NOT NULL,"
            + " next_packet_id INTEGER NOT NULL, disconnected_at INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE subscriptions (session_id BLOB NOT NULL, filter TEXT NOT NULL, max_qos INTEGER NOT NULL,"
            + " PRIMARY KEY (session_id, filter))",
        "CREATE TABLE outbound (session_id BLOB NOT NULL, seq INTEGER NOT NULL, packet_id INTEGER NOT NULL,"
            + " state INTEGER NOT NULL, topic TEXT NOT NULL, qos INTEGER NOT NULL, retain INTEGER NOT NULL,"
            + " codec INTEGER NOT NULL, payload BLOB NOT NULL, expires_at INTEGER NOT NULL,"
            + " PRIMARY KEY (session_id, seq))",
        "CREATE TABLE inbound_qos2 (session_id BLOB NOT NULL, packet_id INTEGER NOT NULL,"
            + " PRIMARY KEY (session_id, packet_id)) WITHOUT ROWID",
        "CREATE TABLE retained (topic TEXT PRIMARY KEY, qos INTEGER NOT NULL, retain INTEGER NOT NULL,"
            + " codec INTEGER NOT NULL, payload BLOB NOT NULL, expires_at INTEGER NOT NULL)",
    };

    @Test
    void aVersion1FileIsMigratedInPlaceAndKeepsItsMessages() throws Exception {
        try (Connection c = connect(file()); Statement st = c.createStatement()) {
            for (String sql : VERSION_1) {
                st.execute(sql);
            }
            st.execute("INSERT INTO sessions VALUES (x'0102', 'old-client', 'owner', 600, 5, 1700000000000)");
            st.execute("INSERT INTO subscriptions VALUES (x'0102', 'old/#', 1)");
            st.execute("INSERT INTO outbound VALUES (x'0102', 1, 4, 1, 'old/1', 1, 0, 0, x'6869', 0)");
            st.execute("INSERT INTO retained VALUES ('old/r', 1, 1, 0, x'72', 0)");
        }
        TraceContext trace = new TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "mcp=new");
        try (SqliteSessionStore store = SqliteSessionStore.open(file())) {
            List<SessionRecord> sessions = store.load();
            assertEquals(1, sessions.size());
            assertEquals("old-client", sessions.get(0).clientId());
            assertEquals(Map.of("old/#", 1), sessions.get(0).subscriptions());
            OutboundEntry old = sessions.get(0).outbound().get(0);
            assertEquals(new Snap.Out(1, 4, OutboundState.PUBLISHED, new Snap.Message("old/1", 1, false, 0, "6869", 0,
                    null)), Snap.Out.of(old));
            assertEquals(Map.of("old/r", new Snap.Message("old/r", 1, true, 0, "72", 0, null)),
                    Snap.retained(store.loadRetained()));

            // The migrated file takes messages with trace context.
            store.addOutbound(new byte[] {1, 2}, new OutboundEntry(2, 0, OutboundState.QUEUED,
                    new StoredMessage("old/2", 1, false, 0, new byte[] {3}, 0, trace)));
            store.putRetained("old/r", new StoredMessage("old/r", 1, true, 0, new byte[] {4}, 0, trace));
        }
        try (SqliteSessionStore store = SqliteSessionStore.open(file())) {
            List<OutboundEntry> outbound = store.load().get(0).outbound();
            assertEquals(2, outbound.size());
            assertNull(outbound.get(0).message().trace());
            assertEquals(trace, outbound.get(1).message().trace());
            assertEquals(trace, store.loadRetained().get("old/r").trace());
        }
        try (Connection c = connect(file())) {
            assertEquals(1, count(c, "SELECT count(*) FROM schema_version"));
            assertEquals(2, count(c, "SELECT version FROM schema_version"));
        }
    }

    @Test
    void aFileThatIsNotADatabaseIsRefused() throws Exception {
        Files.write(file(), "this is not a database, just some text long enough to matter.".repeat(40)
                .getBytes(StandardCharsets.US_ASCII));
        SqliteStoreException e = assertThrows(SqliteStoreException.class, () -> SqliteSessionStore.open(file()));
        assertTrue(e.getMessage().contains(file().toString()), e.getMessage());
    }

    @Test
    void pragmasFollowTheOptions() {
        try (SqliteSessionStore normal = SqliteSessionStore.open(file())) {
            assertEquals(1L, (long) normal.read(c -> count(c, "PRAGMA synchronous")));
            assertEquals(10_000L, (long) normal.read(c -> count(c, "PRAGMA wal_autocheckpoint")));
            assertEquals(5_000L, (long) normal.read(c -> count(c, "PRAGMA busy_timeout")));
        }
        try (SqliteSessionStore tuned = SqliteSessionStore.open(file(),
                SqliteStoreOptions.defaults().checkpointPages(500).busyTimeout(Duration.ofMillis(250)))) {
            assertEquals(500L, (long) tuned.read(c -> count(c, "PRAGMA wal_autocheckpoint")));
            assertEquals(250L, (long) tuned.read(c -> count(c, "PRAGMA busy_timeout")));
        }
        try (SqliteSessionStore full = SqliteSessionStore.open(file(),
                SqliteStoreOptions.defaults().synchronous(SqliteStoreOptions.Synchronous.FULL))) {
            assertEquals(2L, (long) full.read(c -> count(c, "PRAGMA synchronous")));
            full.addOutbound(id(1), entry(1));
            full.barrier().join();
        }
    }

    @Test
    void aFailedCommitFailsItsBarriersAndTheStoreCarriesOn() throws Exception {
        try (SqliteSessionStore store = SqliteSessionStore.open(file(),
                SqliteStoreOptions.defaults().busyTimeout(Duration.ofMillis(100)))) {
            CompletableFuture<Void> failed;
            try (Connection other = connect(file()); Statement st = other.createStatement()) {
                st.execute("BEGIN IMMEDIATE"); // holds the write lock: the store's next transaction times out
                store.addOutbound(id(1), entry(1));
                failed = store.barrier();
                ExecutionException e = assertThrows(ExecutionException.class, () -> failed.get(30, TimeUnit.SECONDS));
                SqliteStoreException cause = assertInstanceOf(SqliteStoreException.class, e.getCause());
                assertInstanceOf(SQLException.class, cause.getCause());
                st.execute("ROLLBACK");
            }
            store.addOutbound(id(1), entry(2));
            store.barrier().get(30, TimeUnit.SECONDS);
            // the failed batch is gone (its barrier said so); the later one is there
            assertEquals(List.of(2L), sequences(store, id(1)));
        }
        try (SqliteSessionStore reopened = SqliteSessionStore.open(file())) {
            assertEquals(List.of(2L), sequences(reopened, id(1)));
        }
    }

    @Test
    void aGroupIsOneTransactionEvenWhenLargerThanABatch() throws Exception {
        try (SqliteSessionStore store = SqliteSessionStore.open(file(), SqliteStoreOptions.defaults().maxBatchSize(1))) {
            AtomicInteger commits = countCommits(store);
            for (int i = 0; i < 10; i++) {
                store.addOutbound(id(1), entry(i));
            }
            store.barrier().get(30, TimeUnit.SECONDS);
            assertEquals(10, commits.get(), "a batch of one mutation per transaction");

            commits.set(0);
            store.group(() -> {
                for (int i = 10; i < 60; i++) {
                    store.addOutbound(id(1), entry(i));
                }
            });
            store.barrier().get(30, TimeUnit.SECONDS);
            assertEquals(1, commits.get(), "the group's 50 mutations in one transaction");
            assertEquals(60, sequences(store, id(1)).size());
        }
    }

    @Test
    void queuedBarriersShareOneCommit() throws Exception {
        try (SqliteSessionStore store = SqliteSessionStore.open(file())) {
            AtomicInteger commits = countCommits(store);
            CountDownLatch release = parkWriter(store);
            List<CompletableFuture<Void>> barriers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                store.addOutbound(id(1), entry(i));
                barriers.add(store.barrier());
            }
            release.countDown();
            CompletableFuture.allOf(barriers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertEquals(1, commits.get(), "100 queued barriers, one commit");
        }
    }

    @Test
    void aFullQueueBlocksProducersButLosesNothing() throws Exception {
        try (SqliteSessionStore store = SqliteSessionStore.open(file(),
                SqliteStoreOptions.defaults().queueCapacity(4).maxBatchSize(3).maxBatchDelay(Duration.ZERO))) {
            CountDownLatch release = parkWriter(store);
            AtomicReference<Throwable> error = new AtomicReference<>();
            Thread producer = new Thread(() -> {
                try {
                    for (int i = 0; i < 2_000; i++) {
                        store.addOutbound(id(1), entry(i));
                    }
                } catch (Throwable t) {
                    error.set(t);
                }
            });
            producer.start();
            release.countDown();
            producer.join();
            assertEquals(null, error.get());
            store.barrier().get(30, TimeUnit.SECONDS);
            assertEquals(2_000, sequences(store, id(1)).size());
        }
    }

    @Test
    void anInterruptedProducerLosesNothingAndKeepsItsInterrupt() throws Exception {
        try (SqliteSessionStore store = SqliteSessionStore.open(file())) {
            Thread.currentThread().interrupt();
            store.addOutbound(id(1), entry(1));
            assertTrue(Thread.interrupted(), "the interrupt status is restored");
            store.barrier().get(30, TimeUnit.SECONDS);
            assertEquals(List.of(1L), sequences(store, id(1)));
        }
    }

    @Test
    void barrierCallbacksRunOffTheWriterAndMayUseTheStore() throws Exception {
        try (SqliteSessionStore store = SqliteSessionStore.open(file(), SqliteStoreOptions.defaults().queueCapacity(2))) {
            AtomicReference<String> thread = new AtomicReference<>();
            CountDownLatch release = parkWriter(store); // so the callback is attached before completion
            store.addOutbound(id(1), entry(1));
            CompletableFuture<Void> done = store.barrier().thenCompose(v -> {
                thread.set(Thread.currentThread().getName());
                for (int i = 2; i <= 50; i++) {
                    store.addOutbound(id(1), entry(i)); // more than the queue holds: must not deadlock
                }
                return store.barrier();
            });
            release.countDown();
            done.get(30, TimeUnit.SECONDS);
            assertTrue(thread.get().startsWith("mcp-sqlite-completer"), thread.get());
            assertEquals(50, sequences(store, id(1)).size());
        }
    }

    @Test
    void closeFromABarrierCallbackDoesNotDeadlock() throws Exception {
        SqliteSessionStore store = SqliteSessionStore.open(file());
        store.addOutbound(id(1), entry(1));
        store.barrier().thenRun(store::close).get(30, TimeUnit.SECONDS);
        assertThrows(IllegalStateException.class, () -> store.addOutbound(id(1), entry(2)));
        try (SqliteSessionStore reopened = SqliteSessionStore.open(file())) {
            assertEquals(List.of(1L), sequences(reopened, id(1)));
        }
    }

    @Test
    void loadInsideAGroupIsRefused() {
        try (SqliteSessionStore store = SqliteSessionStore.open(file())) {
            assertThrows(IllegalStateException.class, () -> store.group(store::load));
        }
    }

    @Test
    void optionsAreValidatedAndNameTheBadValue() {
        SqliteStoreOptions d = SqliteStoreOptions.defaults();
        assertEquals(4096, d.maxBatchSize());
        assertEquals(Duration.ofMillis(2), d.maxBatchDelay());
        assertEquals(65_536, d.queueCapacity());
        assertEquals(SqliteStoreOptions.Synchronous.NORMAL, d.synchronous());
        assertEquals(Duration.ofSeconds(5), d.busyTimeout());
        assertEquals(10_000, d.checkpointPages());
        Map<String, Executable> bad = Map.of(
                "0", () -> d.maxBatchSize(0),
                "-1", () -> d.queueCapacity(-1),
                "PT-0.001S", () -> d.maxBatchDelay(Duration.ofMillis(-1)),
                "PT2S", () -> d.maxBatchDelay(Duration.ofSeconds(2)),
                "PT-1S", () -> d.busyTimeout(Duration.ofSeconds(-1)),
                "checkpointPages must be >= 1: 0", () -> d.checkpointPages(0));
        bad.forEach((value, call) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
            assertTrue(e.getMessage().contains(value), e.getMessage());
        });
        assertThrows(NullPointerException.class, () -> d.synchronous(null));
    }
}
