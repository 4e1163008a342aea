package org.mcpjava.resilience.internal;

import org.mcpjava.resilience.QueuedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that writes an offline queue's SQLite file. Operations are queued (bounded: a full
 * queue blocks its caller, which is backpressure) and applied in batches, one transaction each.
 *
 * <p><b>Coalescing.</b> Within a batch, a message appended and removed again (acknowledged within
 * the batch delay, the usual case while connected) is never written at all, and a retry count
 * recorded for a message appended in the same batch is folded into its row. So a connected client
 * whose acknowledgements come back within {@code maxBatchDelay} costs the disk nothing.
 *
 * <p><b>Failures.</b> A failed transaction is rolled back and logged, and fails the barriers of its
 * batch; the writer carries on. Barrier and read futures complete on the writer thread.
 */
public final class QueueWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(QueueWriter.class);
    private static final int MAX_BATCH = 8192;

    private final String name;
    private final Connection conn;
    private final BlockingQueue<QueueOp> ops;
    private final long maxBatchDelayNanos;
    private final PreparedStatement insert;
    private final PreparedStatement delete;
    private final PreparedStatement update;
    private final Thread thread;
    private volatile boolean stopped;

    /** A writer owning {@code conn} (schema already in place); call {@link #start()}. */
    public QueueWriter(String name, Connection conn, long maxBatchDelayNanos, int capacity) throws SQLException {
        this.name = name;
        this.conn = conn;
        this.maxBatchDelayNanos = maxBatchDelayNanos;
        this.ops = new LinkedBlockingQueue<>(capacity);
        conn.setAutoCommit(false);
        this.insert = conn.prepareStatement("INSERT OR REPLACE INTO messages"
                + " (seq, topic, qos, retain, codec, payload, expires_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        this.delete = conn.prepareStatement("DELETE FROM messages WHERE seq = ?");
        this.update = conn.prepareStatement("UPDATE messages SET attempts = ? WHERE seq = ?");
        this.thread = new Thread(this, "mcp-offline-queue");
        thread.setDaemon(true);
    }

    /** Starts the writer thread. */
    public void start() {
        thread.start();
    }

    /** Queues {@code op}, blocking while the queue is full. */
    public void submit(QueueOp op) {
        if (stopped) {
            throw new IllegalStateException("offline queue " + name + " is closed");
        }
        boolean interrupted = false;
        while (true) {
            try {
                ops.put(op);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // an interrupt must not lose the operation
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Queues the end, waits for the writer to commit and stop, and closes the connection. */
    public void close() {
        if (stopped) {
            return;
        }
        submit(new QueueOp.Close());
        stopped = true;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        List<QueueOp> batch = new ArrayList<>();
        boolean closing = false;
        try {
            while (!closing) {
                batch.clear();
                batch.add(ops.take());
                ops.drainTo(batch, MAX_BATCH - 1);
                if (maxBatchDelayNanos > 0 && !urgent(batch) && batch.size() < MAX_BATCH) {
                    // Wait a little for more: the acknowledgements of what was just appended, usually.
                    QueueOp more = ops.poll(maxBatchDelayNanos, TimeUnit.NANOSECONDS);
                    if (more != null) {
                        batch.add(more);
                        ops.drainTo(batch, MAX_BATCH - batch.size());
                    }
                }
                closing = apply(batch);
            }
        } catch (InterruptedException e) {
            log.warn("offline queue {}: writer interrupted; stopping", name);
        } finally {
            try {
                conn.close();
            } catch (SQLException e) {
                log.warn("offline queue {}: close failed: {}", name, e.toString());
            }
        }
    }

    private static boolean urgent(List<QueueOp> batch) {
        for (QueueOp op : batch) {
            if (!(op instanceof QueueOp.Append || op instanceof QueueOp.Remove || op instanceof QueueOp.Attempts)) {
                return true;
            }
        }
        return false;
    }

    /** Applies {@code batch}; returns whether it held the close marker. */
    private boolean apply(List<QueueOp> batch) {
        Map<Long, QueuedMessage> inserts = new LinkedHashMap<>();
        Set<Long> deletes = new LinkedHashSet<>();
        Map<Long, Integer> updates = new LinkedHashMap<>();
        List<CompletableFuture<Void>> barriers = new ArrayList<>();
        boolean closing = false;
        for (QueueOp op : batch) {
            if (op instanceof QueueOp.Append a) {
                inserts.put(a.message().sequence(), a.message());
            } else if (op instanceof QueueOp.Remove r) {
                if (inserts.remove(r.sequence()) == null) {
                    updates.remove(r.sequence());
                    deletes.add(r.sequence());
                }
            } else if (op instanceof QueueOp.Attempts t) {
                QueuedMessage m = inserts.get(t.sequence());
                if (m != null) {
                    inserts.put(t.sequence(), m.withAttempts(t.attempts()));
                } else {
                    updates.put(t.sequence(), t.attempts());
                }
            } else if (op instanceof QueueOp.Barrier b) {
                barriers.add(b.done());
            } else if (op instanceof QueueOp.Recover rec) {
                // Everything before it must be visible: write it, then read.
                Exception failed = commit(inserts, deletes, updates);
                inserts.clear();
                deletes.clear();
                updates.clear();
                if (failed != null) {
                    rec.result().completeExceptionally(failed);
                } else {
                    read(rec.result());
                }
            } else if (op instanceof QueueOp.Close) {
                closing = true;
            }
        }
        Exception failed = commit(inserts, deletes, updates);
        for (CompletableFuture<Void> b : barriers) {
            if (failed == null) {
                b.complete(null);
            } else {
                b.completeExceptionally(failed);
            }
        }
        return closing;
    }

    private Exception commit(Map<Long, QueuedMessage> inserts, Set<Long> deletes, Map<Long, Integer> updates) {
        if (inserts.isEmpty() && deletes.isEmpty() && updates.isEmpty()) {
            return null;
        }
        try {
            for (QueuedMessage m : inserts.values()) {
                insert.setLong(1, m.sequence());
                insert.setString(2, m.topic());
                insert.setInt(3, m.qos());
                insert.setInt(4, m.retain() ? 1 : 0);
                insert.setInt(5, m.codec());
                insert.setBytes(6, m.payload());
                insert.setLong(7, m.expiresAtMillis());
                insert.setInt(8, m.attempts());
                insert.addBatch();
            }
            if (!inserts.isEmpty()) {
                insert.executeBatch();
            }
            for (Map.Entry<Long, Integer> u : updates.entrySet()) {
                update.setInt(1, u.getValue());
                update.setLong(2, u.getKey());
                update.addBatch();
            }
            if (!updates.isEmpty()) {
                update.executeBatch();
            }
            for (long seq : deletes) {
                delete.setLong(1, seq);
                delete.addBatch();
            }
            if (!deletes.isEmpty()) {
                delete.executeBatch();
            }
            conn.commit();
            return null;
        } catch (SQLException e) {
            log.error("offline queue {}: a batch of {} appends, {} removals and {} updates failed and was rolled back",
                    name, inserts.size(), deletes.size(), updates.size(), e);
            try {
                insert.clearBatch();
                update.clearBatch();
                delete.clearBatch();
                conn.rollback();
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            return e;
        }
    }

    private void read(CompletableFuture<List<QueuedMessage>> result) {
        List<QueuedMessage> out = new ArrayList<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT seq, topic, qos, retain, codec, payload, expires_at, attempts"
                     + " FROM messages ORDER BY seq")) {
            while (rs.next()) {
                byte[] payload = rs.getBytes(6);
                out.add(new QueuedMessage(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getInt(4) != 0,
                        rs.getInt(5), payload == null ? new byte[0] : payload, rs.getLong(7), rs.getInt(8)));
            }
            conn.commit(); // ends the read transaction
            result.complete(out);
        } catch (SQLException | RuntimeException e) {
            result.completeExceptionally(e);
        }
    }
}
