package org.mcpjava.resilience;

import org.mcpjava.resilience.internal.QueueOp;
import org.mcpjava.resilience.internal.QueueWriter;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An {@link OfflineQueue} in one SQLite file: what the client has not delivered survives the
 * process being killed, and the next process that opens the file sends it.
 *
 * <p><b>Writes.</b> Appends, removals and retry counts are queued and return at once; one writer
 * thread applies them in order, many per transaction, within {@code maxBatchDelay} (default 5 ms).
 * A message acknowledged before its batch is written never touches the disk. {@link #flush()}
 * completes when everything recorded before it is committed: a message is on disk at most about
 * {@code maxBatchDelay} plus one commit after {@code publish} returned, and at once after a
 * completed flush.
 *
 * <p><b>Durability.</b> WAL journal. With {@code synchronous=NORMAL} (the default) a committed
 * message survives the process being killed; {@code open(file, delay, true)} syncs every commit
 * ({@code synchronous=FULL}) so it also survives an OS crash or power loss.
 *
 * <p><b>One user.</b> The file is opened in exclusive locking mode: a second process (or a second
 * queue in this one) opening it fails, so two clients can never send the same messages. A killed
 * process's lock goes with it. Thread-safe.
 */
public final class SqliteOfflineQueue implements OfflineQueue {
    private static final int CAPACITY = 65_536;

    private final Path file;
    private final QueueWriter writer;

    private SqliteOfflineQueue(Path file, QueueWriter writer) {
        this.file = file;
        this.writer = writer;
    }

    /** Opens (creating if absent) the queue in {@code file}: 5 ms batches, {@code synchronous=NORMAL}. */
    public static SqliteOfflineQueue open(Path file) {
        return open(file, Duration.ofMillis(5), false);
    }

    /**
     * Opens (creating if absent, with its parent directories) the queue in {@code file}.
     *
     * @param maxBatchDelay how long the writer waits for more operations before committing (0-1 s)
     * @param syncEveryCommit {@code synchronous=FULL}: survive an OS crash, at one fsync per commit
     * @throws UncheckedIOException if the file cannot be opened, is not a queue, or is in use
     */
    public static SqliteOfflineQueue open(Path file, Duration maxBatchDelay, boolean syncEveryCommit) {
        Objects.requireNonNull(file, "file");
        if (maxBatchDelay.isNegative() || maxBatchDelay.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("maxBatchDelay must be 0..1s: " + maxBatchDelay);
        }
        Path path = file.toAbsolutePath();
        Connection conn = null;
        try {
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            SQLiteConfig config = new SQLiteConfig();
            config.setLockingMode(SQLiteConfig.LockingMode.EXCLUSIVE);
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(syncEveryCommit ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(0);
            conn = config.createConnection("jdbc:sqlite:" + path);
            try (Statement st = conn.createStatement()) {
                // Creating the table (or the no-op) takes the exclusive lock now, not at the first append.
                st.executeUpdate("CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL,"
                        + " qos INTEGER NOT NULL, retain INTEGER NOT NULL, codec INTEGER NOT NULL, payload BLOB NOT NULL,"
                        + " expires_at INTEGER NOT NULL, attempts INTEGER NOT NULL)");
                st.executeUpdate("PRAGMA user_version = 1");
            }
            QueueWriter writer = new QueueWriter(path.toString(), conn, maxBatchDelay.toNanos(), CAPACITY);
            writer.start();
            return new SqliteOfflineQueue(path, writer);
        } catch (SQLException | IOException | RuntimeException e) {
            if (conn != null) {
                try {
                    conn.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            String hint = String.valueOf(e.getMessage()).contains("locked") || String.valueOf(e.getMessage()).contains("BUSY")
                    ? " (is another client using it?)" : "";
            throw new UncheckedIOException(new IOException("cannot open offline queue " + path + hint + ": "
                    + e.getMessage(), e));
        }
    }

    /** The file (absolute). */
    public Path file() {
        return file;
    }

    @Override
    public List<QueuedMessage> recover() {
        CompletableFuture<List<QueuedMessage>> result = new CompletableFuture<>();
        writer.submit(new QueueOp.Recover(result));
        try {
            return result.join();
        } catch (CompletionException e) {
            throw new UncheckedIOException(new IOException("offline queue " + file + ": cannot read: "
                    + e.getCause().getMessage(), e.getCause()));
        }
    }

    @Override
    public void append(QueuedMessage message) {
        writer.submit(new QueueOp.Append(message));
    }

    @Override
    public void remove(long sequence) {
        writer.submit(new QueueOp.Remove(sequence));
    }

    @Override
    public void attempts(long sequence, int attempts) {
        writer.submit(new QueueOp.Attempts(sequence, attempts));
    }

    @Override
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        writer.submit(new QueueOp.Barrier(done));
        return done;
    }

    /** Commits what is queued, stops the writer and closes the file. Idempotent. */
    @Override
    public void close() {
        writer.close();
    }

    @Override
    public String toString() {
        return "SqliteOfflineQueue[" + file + "]";
    }
}
