package org.mcpjava.store.sqlite.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;
import java.util.function.LongConsumer;
import org.mcpjava.store.sqlite.SqliteStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes the file. Callers {@link #submit} operations to a bounded queue; the
 * writer takes what is queued, applies up to {@code maxBatchSize} mutations in one transaction with
 * reused prepared statements, commits, and then completes every barrier that was queued before the
 * commit. Concurrent barriers thus share one commit, and the cost of durability is per batch, not
 * per message.
 *
 * <p><b>Batching.</b> A {@link StoreOp.Group} is applied whole inside one transaction. A batch ends
 * when it is full (a group may overfill it), when the queue is empty and a barrier is waiting
 * (commit now: someone is blocked on it), when the queue stays empty for {@code maxBatchDelay} after
 * the batch started, or before a read or close.
 *
 * <p><b>Backpressure.</b> {@link #submit} blocks while the queue is full, until the writer makes
 * room; an interrupt does not drop the operation (the thread's interrupt status is restored).
 *
 * <p><b>Failures.</b> If a statement or the commit fails, the batch is rolled back, the error is
 * logged, and the barriers of that batch complete exceptionally with a {@link SqliteStoreException};
 * the writer then carries on with the next batch. A failed barrier therefore means "the mutations
 * queued before me may be lost"; a later barrier that succeeds does not bring them back.
 *
 * <p><b>Threads.</b> Barrier futures are completed on a separate completion thread, never the
 * writer, so their callbacks can neither stall the writer nor deadlock on a full queue by calling the
 * store. {@link StoreOp.Read} futures are completed on the writer (their caller is blocked on them).
 * {@link #submit} and {@link #close} are thread-safe; {@link #close} is idempotent.
 */
public final class StoreWriter {
    private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);

    private final String name;
    private final Connection conn;
    private final Statements st;
    private final BlockingQueue<StoreOp> queue;
    /** Ops taken from the queue but not yet processed (the writer drains in bulk). Writer thread only. */
    private final ArrayDeque<StoreOp> backlog;
    private final int maxBatchSize;
    private final long maxBatchDelayNanos;
    /**
     * Read lock: submitting; write lock: closing. So nothing is enqueued after the close marker. A
     * StampedLock, not a ReentrantReadWriteLock: every mutation takes the read lock, and the latter
     * keeps a per-thread hold count in a ThreadLocal (created and dropped on each lock/unlock) that
     * cost more than the rest of submit. Nothing here takes the gate re-entrantly.
     */
    private final StampedLock gate = new StampedLock();
    private boolean closed; // guarded by gate
    private volatile Throwable died;
    private final Thread thread;
    private volatile Thread completerThread;
    /** The current batch's state (writer thread only). */
    private boolean inTransaction;
    private Exception failure;
    private final ExecutorService completer;
    private final LongConsumer commitListener;

    /**
     * A writer for {@code conn} (which it now owns and closes). Call {@link #start()} next.
     *
     * @param name a name for threads and log lines (the file)
     */
    public StoreWriter(String name, Connection conn, int maxBatchSize, long maxBatchDelayNanos, int queueCapacity)
            throws SQLException {
        this(name, conn, maxBatchSize, maxBatchDelayNanos, queueCapacity, nanos -> {
        });
    }

    /**
     * A writer that also reports the duration of every successful commit, in nanoseconds, to
     * {@code commitListener} (on the writer thread).
     */
    public StoreWriter(String name, Connection conn, int maxBatchSize, long maxBatchDelayNanos, int queueCapacity,
                       LongConsumer commitListener) throws SQLException {
        this.commitListener = commitListener;
        this.name = name;
        this.conn = conn;
        this.st = new Statements(conn);
        this.maxBatchSize = maxBatchSize;
        this.maxBatchDelayNanos = maxBatchDelayNanos;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.backlog = new ArrayDeque<>(Math.min(maxBatchSize, 8192));
        this.thread = new Thread(this::run, "mcp-sqlite-writer " + name);
        this.thread.setDaemon(true);
        this.completer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mcp-sqlite-completer " + name);
            t.setDaemon(true);
            completerThread = t;
            return t;
        });
    }

    /** Starts the writer thread. */
    public void start() {
        thread.start();
    }

    /**
     * Queues {@code op}, blocking while the queue is full.
     *
     * @throws IllegalStateException if the writer is closed or has died
     */
    public void submit(StoreOp op) {
        Throwable cause;
        long stamp = gate.readLock();
        try {
            requireOpen();
            putUninterruptibly(op);
            cause = died;
        } finally {
            gate.unlockRead(stamp);
        }
        if (cause != null) {
            // The writer died while we waited for room: nobody will take what is queued. Failed
            // outside the gate: the futures' callbacks may call submit again, and the gate is not
            // re-entrant.
            failQueue(cause);
            throw new IllegalStateException("SQLite session store writer died: " + name, cause);
        }
    }

    /**
     * Throws if {@link #submit} would.
     *
     * @throws IllegalStateException if the writer is closed or has died
     */
    public void checkOpen() {
        long stamp = gate.readLock();
        try {
            requireOpen();
        } finally {
            gate.unlockRead(stamp);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("SQLite session store is closed: " + name);
        }
        if (died != null) {
            throw new IllegalStateException("SQLite session store writer died: " + name, died);
        }
    }

    /**
     * Commits everything queued, closes the connection and stops the threads; returns once barrier
     * futures are completed. Idempotent.
     */
    public void close() {
        long stamp = gate.writeLock();
        try {
            if (!closed) {
                closed = true;
                if (died == null) {
                    putUninterruptibly(new StoreOp.Close());
                }
            }
        } finally {
            gate.unlockWrite(stamp);
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        completer.shutdown();
        if (Thread.currentThread() != completerThread) {
            try {
                if (!completer.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.warn("SQLite store {}: barrier callbacks still running 30 s after close", name);
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void putUninterruptibly(StoreOp op) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    queue.put(op);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- writer thread ----

    private void run() {
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        try {
            boolean running = true;
            while (running) {
                StoreOp control = batch(waiters);
                waiters = new ArrayList<>();
                if (control instanceof StoreOp.Read<?> read) {
                    read.run(conn);
                } else if (control instanceof StoreOp.Close) {
                    running = false;
                }
            }
        } catch (Throwable t) {
            died = t;
            LOG.error("SQLite store {}: writer thread died; the store no longer accepts mutations", name, t);
            fail(waiters, t);
            failQueued(t);
        } finally {
            closeConnection();
        }
    }

    /**
     * Runs one batch: applies mutations in a transaction and collects barriers until the batch ends,
     * commits, completes the barriers. Returns the Read or Close that ended it, else null.
     */
    private StoreOp batch(List<CompletableFuture<Void>> waiters) {
        StoreOp op = nextBlocking();
        long deadline = System.nanoTime() + maxBatchDelayNanos;
        inTransaction = false;
        failure = null;
        int mutations = 0;
        StoreOp control = null;
        while (op != null) {
            if (op instanceof StoreOp.Mutation m) {
                apply(m);
                mutations++;
            } else if (op instanceof StoreOp.Barrier b) {
                waiters.add(b.future());
            } else if (op instanceof StoreOp.Group g) {
                for (StoreOp item : g.ops()) {
                    if (item instanceof StoreOp.Mutation m) {
                        apply(m);
                        mutations++;
                    } else {
                        waiters.add(((StoreOp.Barrier) item).future());
                    }
                }
            } else {
                control = op;
                break;
            }
            if (mutations >= maxBatchSize) {
                break;
            }
            op = next(waiters.isEmpty() ? deadline - System.nanoTime() : 0);
        }
        if (inTransaction && failure == null) {
            try {
                long begin = System.nanoTime();
                st.commit();
                commitListener.accept(System.nanoTime() - begin);
            } catch (SQLException e) {
                failure = e;
            }
        }
        if (failure != null) {
            if (inTransaction) {
                try {
                    st.rollback();
                } catch (SQLException e) {
                    failure.addSuppressed(e); // e.g. SQLite already rolled back after an I/O error
                }
            }
            LOG.error("SQLite store {}: a transaction of {} mutation(s) failed and was rolled back;"
                    + " failing {} barrier(s)", name, mutations, waiters.size(), failure);
            fail(waiters, new SqliteStoreException("SQLite session store " + name
                    + ": commit failed, mutations before this barrier may be lost", failure));
        } else if (!waiters.isEmpty()) {
            List<CompletableFuture<Void>> done = waiters;
            completer.execute(() -> done.forEach(f -> f.complete(null)));
        }
        inTransaction = false;
        failure = null;
        return control;
    }

    /** Applies {@code m} in the batch's transaction (begun on first use), unless the batch already failed. */
    private void apply(StoreOp.Mutation m) {
        if (failure != null) {
            return; // the transaction will be rolled back: skip the rest of the batch
        }
        try {
            if (!inTransaction) {
                st.begin();
                inTransaction = true;
            }
            m.apply(st);
        } catch (SQLException | RuntimeException e) {
            failure = e;
        }
    }

    private StoreOp nextBlocking() {
        StoreOp op = backlog.poll();
        while (op == null) {
            try {
                op = queue.take();
            } catch (InterruptedException e) {
                // Only close() stops the writer; nobody should interrupt it.
                LOG.warn("SQLite store {}: writer interrupted, ignoring", name);
            }
        }
        return op;
    }

    /** The next op if one is queued, waiting at most {@code waitNanos} for one. */
    private StoreOp next(long waitNanos) {
        StoreOp op = backlog.poll();
        if (op != null) {
            return op;
        }
        if (queue.drainTo(backlog, maxBatchSize) > 0) {
            return backlog.poll();
        }
        if (waitNanos <= 0) {
            return null;
        }
        try {
            return queue.poll(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            LOG.warn("SQLite store {}: writer interrupted, ignoring", name);
            return null;
        }
    }

    private void fail(List<CompletableFuture<Void>> waiters, Throwable cause) {
        if (waiters.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> failed = new ArrayList<>(waiters);
        try {
            completer.execute(() -> failed.forEach(f -> f.completeExceptionally(cause)));
        } catch (RuntimeException rejected) {
            failed.forEach(f -> f.completeExceptionally(cause));
        }
    }

    /** Writer thread, when it dies: fails the futures of everything taken or queued. */
    private void failQueued(Throwable cause) {
        failAll(new ArrayList<>(backlog), cause);
        backlog.clear();
        failQueue(cause);
    }

    /** Fails the futures of everything in the queue (any thread, once the writer is dead). */
    private void failQueue(Throwable cause) {
        List<StoreOp> rest = new ArrayList<>();
        queue.drainTo(rest);
        failAll(rest, cause);
    }

    private static void failAll(List<StoreOp> ops, Throwable cause) {
        for (StoreOp op : ops) {
            if (op instanceof StoreOp.Barrier b) {
                b.future().completeExceptionally(cause);
            } else if (op instanceof StoreOp.Read<?> r) {
                r.future().completeExceptionally(cause);
            } else if (op instanceof StoreOp.Group g) {
                failAll(g.ops(), cause);
            }
        }
    }

    private void closeConnection() {
        try {
            st.close();
        } catch (SQLException e) {
            LOG.warn("SQLite store {}: closing statements failed", name, e);
        }
        try {
            conn.close();
        } catch (SQLException e) {
            LOG.warn("SQLite store {}: closing the connection failed", name, e);
        }
    }
}
