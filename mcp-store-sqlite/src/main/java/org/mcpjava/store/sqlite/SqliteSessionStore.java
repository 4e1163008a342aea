package org.mcpjava.store.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.SessionRecord;
import org.mcpjava.broker.store.SessionStore;
import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.store.sqlite.internal.Mutations;
import org.mcpjava.store.sqlite.internal.Schema;
import org.mcpjava.store.sqlite.internal.SessionLoader;
import org.mcpjava.store.sqlite.internal.StoreOp;
import org.mcpjava.store.sqlite.internal.StoreWriter;
import org.sqlite.SQLiteConfig;

/**
 * A {@link SessionStore} in one SQLite file: the broker's default on disk. Same semantics as
 * {@link org.mcpjava.broker.store.InMemorySessionStore}, made durable.
 *
 * <p><b>Writes.</b> Every mutation is queued and returns at once; one writer thread applies queued
 * mutations in order, many per transaction ({@link SqliteStoreOptions#maxBatchSize()}), and
 * {@link #barrier()} completes once the transaction holding everything queued before it has
 * committed. Concurrent barriers share that commit. If producers outrun the writer, the bounded
 * queue ({@link SqliteStoreOptions#queueCapacity()}) fills and mutations block their caller until
 * there is room: backpressure, not unbounded memory. {@link #group} queues its mutations as one unit,
 * applied in one transaction: after a crash all of them are there or none.
 *
 * <p><b>Failures.</b> A failed transaction (disk full, I/O error, a lock held past
 * {@link SqliteStoreOptions#busyTimeout()}) is rolled back, logged at ERROR, and fails the barriers
 * that waited on it with {@link SqliteStoreException}; the store stays usable and the next batch is
 * tried afresh. A failed barrier means the mutations queued before it may be lost; a later barrier
 * that succeeds does not bring them back, so the caller must not acknowledge what a failed barrier
 * covered.
 *
 * <p><b>Durability.</b> The file is in WAL mode. With the default
 * {@link SqliteStoreOptions.Synchronous#NORMAL}, a completed barrier survives the server process
 * being killed (SIGKILL, crash) but the last commits may roll back after an OS crash or power loss;
 * {@link SqliteStoreOptions.Synchronous#FULL} also survives those, at an fsync per commit. The file
 * is never corrupted by either.
 *
 * <p><b>Loading.</b> {@link #load()} and {@link #loadRetained()} are meant for the server's start,
 * before mutations begin: they run on the writer after everything queued before them, so they see
 * every committed (and every queued) mutation, and they block while reading the whole file.
 *
 * <p><b>Threads.</b> Thread-safe. Mutations from one thread are applied in call order; across
 * threads, in the order the calls reach the queue. Barrier futures complete on a store-owned
 * completion thread (not the writer): callbacks may call the store, but long work belongs on another
 * executor. After {@link #close()} every method but {@code close} throws {@link IllegalStateException}.
 *
 * <p><b>Ownership.</b> Session ids are copied; {@link StoredMessage} payloads are kept by reference
 * until written, as the record's contract allows. A retained message is stored under its
 * {@code topic} argument, which is also the topic of the message loaded back.
 */
public final class SqliteSessionStore implements SessionStore {
    private final Path file;
    private final SqliteStoreOptions options;
    private final StoreWriter writer;
    /**
     * The operations of the calling thread's open {@link #group}, or null outside one. Closed by
     * setting null, not by remove(): every mutation and barrier reads it, and on a thread without
     * an entry each read would create one.
     */
    private final ThreadLocal<List<StoreOp>> openGroup = new ThreadLocal<>();

    private SqliteSessionStore(Path file, SqliteStoreOptions options, StoreWriter writer) {
        this.file = file;
        this.options = options;
        this.writer = writer;
    }

    /** Opens (creating if absent) the store in {@code file} with {@link SqliteStoreOptions#defaults()}. */
    public static SqliteSessionStore open(Path file) {
        return open(file, SqliteStoreOptions.defaults());
    }

    /**
     * Opens (creating if absent, with its parent directories) the store in {@code file}: sets WAL
     * mode and the sync level, creates or checks the schema (migrating a file of an older build in
     * place), and starts the writer thread.
     *
     * @throws SqliteStoreException if the file cannot be opened, is not a database, or holds a schema
     *                              version this build does not read
     */
    public static SqliteSessionStore open(Path file, SqliteStoreOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        Path path = file.toAbsolutePath();
        Connection conn = null;
        try {
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(options.synchronous() == SqliteStoreOptions.Synchronous.FULL
                    ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout((int) options.busyTimeout().toMillis());
            // The store never asks for generated keys; left on, the driver runs a regex over every
            // statement and prepares, steps and finalizes "SELECT last_insert_rowid()" after every INSERT.
            config.setGetGeneratedKeys(false);
            conn = config.createConnection("jdbc:sqlite:" + path);
            requireWal(conn, path);
            try (Statement st = conn.createStatement()) {
                st.execute("PRAGMA wal_autocheckpoint = " + options.checkpointPages());
            }
            Schema.ensure(conn);
            StoreWriter writer = new StoreWriter(path.toString(), conn, options.maxBatchSize(),
                    options.maxBatchDelay().toNanos(), options.queueCapacity(), options.commitListener());
            writer.start();
            return new SqliteSessionStore(path, options, writer);
        } catch (SQLException | IOException | RuntimeException e) {
            if (conn != null) {
                try {
                    conn.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new SqliteStoreException("cannot open SQLite session store " + path + ": " + e.getMessage(), e);
        }
    }

    private static void requireWal(Connection conn, Path path) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            String mode = rs.next() ? rs.getString(1) : null;
            if (mode == null || !mode.toLowerCase(Locale.ROOT).equals("wal")) {
                throw new SQLException("journal_mode is " + mode + ", not wal, for " + path);
            }
        }
    }

    /** The database file (absolute). */
    public Path file() {
        return file;
    }

    /** The options it was opened with. */
    public SqliteStoreOptions options() {
        return options;
    }

    @Override
    public List<SessionRecord> load() {
        return read(SessionLoader::loadSessions);
    }

    @Override
    public Map<String, StoredMessage> loadRetained() {
        return read(SessionLoader::loadRetained);
    }

    /** Runs {@code query} on the writer's connection after everything queued; for tests and tools. */
    <T> T read(StoreOp.Query<T> query) {
        if (openGroup.get() != null) {
            throw new IllegalStateException("cannot read the store inside group(): its mutations are not applied yet");
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        writer.submit(new StoreOp.Read<>(query, result));
        try {
            return result.join();
        } catch (CompletionException e) {
            throw new SqliteStoreException("SQLite session store " + file + ": read failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void saveSession(byte[] sessionId, String clientId, String owner, long expirySeconds, long nextPacketId) {
        submit(new Mutations.SaveSession(copy(sessionId), clientId, owner, expirySeconds, nextPacketId));
    }

    @Override
    public void markDisconnected(byte[] sessionId, long disconnectedAtMillis) {
        submit(new Mutations.MarkDisconnected(copy(sessionId), disconnectedAtMillis));
    }

    @Override
    public void deleteSession(byte[] sessionId) {
        submit(new Mutations.DeleteSession(copy(sessionId)));
    }

    @Override
    public void saveSubscription(byte[] sessionId, String filter, int maxQos) {
        Objects.requireNonNull(filter, "filter");
        submit(new Mutations.SaveSubscription(copy(sessionId), filter, maxQos));
    }

    @Override
    public void deleteSubscription(byte[] sessionId, String filter) {
        Objects.requireNonNull(filter, "filter");
        submit(new Mutations.DeleteSubscription(copy(sessionId), filter));
    }

    @Override
    public void addOutbound(byte[] sessionId, OutboundEntry entry) {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(entry.state(), "entry.state");
        Objects.requireNonNull(entry.message(), "entry.message");
        submit(new Mutations.AddOutbound(copy(sessionId), entry));
    }

    @Override
    public void updateOutbound(byte[] sessionId, long sequence, long packetId, OutboundState state) {
        Objects.requireNonNull(state, "state");
        submit(new Mutations.UpdateOutbound(copy(sessionId), sequence, packetId, state));
    }

    @Override
    public void removeOutbound(byte[] sessionId, long sequence) {
        submit(new Mutations.RemoveOutbound(copy(sessionId), sequence));
    }

    @Override
    public void addInboundQos2(byte[] sessionId, long packetId) {
        submit(new Mutations.AddInboundQos2(copy(sessionId), packetId));
    }

    @Override
    public void removeInboundQos2(byte[] sessionId, long packetId) {
        submit(new Mutations.RemoveInboundQos2(copy(sessionId), packetId));
    }

    @Override
    public void putRetained(String topic, StoredMessage message) {
        Objects.requireNonNull(topic, "topic");
        submit(message == null ? new Mutations.ClearRetained(topic) : new Mutations.PutRetained(topic, message));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The mutations {@code body} makes on the calling thread are collected and queued as one unit
     * when it returns, then applied in a single transaction. A nested {@code group} joins the outer
     * one. A {@link #barrier()} inside the group completes after the group's commit. If {@code body}
     * throws, the mutations it made before are still queued (as a unit), like the in-memory store
     * keeps them, and the exception propagates. {@link #load()} inside a group throws
     * {@link IllegalStateException}.
     */
    @Override
    public void group(Runnable body) {
        Objects.requireNonNull(body, "body");
        if (openGroup.get() != null) {
            body.run();
            return;
        }
        writer.checkOpen();
        List<StoreOp> ops = new ArrayList<>();
        openGroup.set(ops);
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            openGroup.set(null);
            if (!ops.isEmpty()) {
                try {
                    writer.submit(new StoreOp.Group(ops));
                } catch (IllegalStateException closed) {
                    e.addSuppressed(closed);
                }
            }
            throw e;
        }
        openGroup.set(null);
        if (!ops.isEmpty()) {
            writer.submit(new StoreOp.Group(ops));
        }
    }

    /** Queues {@code op}, or adds it to the calling thread's open group. */
    private void submit(StoreOp op) {
        List<StoreOp> group = openGroup.get();
        if (group != null) {
            group.add(op);
        } else {
            writer.submit(op);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Completes on the store's completion thread; completes exceptionally with
     * {@link SqliteStoreException} if the transaction it waited on failed.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public CompletableFuture<Void> barrier() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        submit(new StoreOp.Barrier(f));
        return f;
    }

    /**
     * Commits everything queued, stops the writer and closes the file; returns once pending barrier
     * futures are completed. Idempotent.
     */
    @Override
    public void close() {
        writer.close();
    }

    private static byte[] copy(byte[] sessionId) {
        return Objects.requireNonNull(sessionId, "sessionId").clone();
    }

    @Override
    public String toString() {
        return "SqliteSessionStore[" + file + "]";
    }
}
