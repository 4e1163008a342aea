package org.mcpjava.store.sqlite;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Tuning of a {@link SqliteSessionStore}: how mutations are grouped into transactions, how much may
 * be queued, and how hard SQLite syncs. Immutable: each same-name method taking a value returns a
 * copy with that value, validated; {@link #defaults()} is the starting point.
 *
 * <pre>{@code
 * SqliteSessionStore.open(file, SqliteStoreOptions.defaults().maxBatchSize(2048).synchronous(Synchronous.FULL));
 * }</pre>
 *
 * @param maxBatchSize  most mutations applied in one transaction (default 4096). Larger batches
 *                      mean fewer commits; a barrier waits at most for one full batch.
 * @param maxBatchDelay how long the writer keeps a transaction open for more mutations when no one
 *                      is waiting on it (default 2 ms). A {@link SqliteSessionStore#barrier()} in the
 *                      batch cuts the wait short: the writer commits as soon as the queue is
 *                      momentarily empty. Zero commits whenever the queue is empty.
 * @param queueCapacity most mutations queued for the writer (default 65536). When producers outrun
 *                      the writer, a mutation blocks its caller until there is room (backpressure);
 *                      this bounds memory at about {@code queueCapacity} messages.
 * @param synchronous   how hard SQLite syncs to disk (default {@link Synchronous#NORMAL})
 * @param busyTimeout   how long a transaction waits for a lock held by another connection to the
 *                      same file before it fails (default 5 s)
 * @param checkpointPages the WAL size, in pages, at which a commit also checkpoints the WAL into the
 *                      database ({@code PRAGMA wal_autocheckpoint}; default 10000, about 40 MB with
 *                      4 KiB pages, against SQLite's 1000). Fewer, larger checkpoints measured 20-40%
 *                      more throughput; the price is a WAL file of that size on disk (it is reused,
 *                      not shrunk) and a longer commit, so a slower barrier, when a checkpoint runs.
 * @param commitListener receives the duration of every successful commit in nanoseconds, on the
 *                      writer thread (e.g. for a latency histogram); must be cheap and must not throw.
 *                      Default: none.
 */
public record SqliteStoreOptions(int maxBatchSize, Duration maxBatchDelay, int queueCapacity,
                                 Synchronous synchronous, Duration busyTimeout, int checkpointPages,
                                 LongConsumer commitListener) {
    private static final LongConsumer NO_LISTENER = nanos -> {
    };

    /**
     * SQLite's {@code PRAGMA synchronous}, with the store always in WAL journal mode.
     */
    public enum Synchronous {
        /**
         * WAL is synced only at checkpoints. Every committed transaction survives a crash or kill of
         * the process (the WAL is in the OS page cache), and the database is never corrupted, but the
         * last commits may roll back after an OS crash or power loss. The default: the broker's
         * requirement is surviving a killed server, and commits cost no fsync.
         */
        NORMAL,
        /**
         * The WAL is synced at every commit: committed transactions also survive an OS crash or
         * power loss (if the disk honours flushes), at one fsync per batch.
         */
        FULL
    }

    /** The defaults, validated. */
    public static SqliteStoreOptions defaults() {
        return new SqliteStoreOptions(4096, Duration.ofMillis(2), 65_536, Synchronous.NORMAL, Duration.ofSeconds(5), 10_000,
                NO_LISTENER);
    }

    /** Validates every value; the message names the bad one. */
    public SqliteStoreOptions {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be >= 1: " + maxBatchSize);
        }
        Objects.requireNonNull(maxBatchDelay, "maxBatchDelay");
        if (maxBatchDelay.isNegative() || maxBatchDelay.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("maxBatchDelay must be 0..1s: " + maxBatchDelay);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be >= 1: " + queueCapacity);
        }
        Objects.requireNonNull(synchronous, "synchronous");
        Objects.requireNonNull(busyTimeout, "busyTimeout");
        if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("busyTimeout must be 0.." + Integer.MAX_VALUE + " ms: " + busyTimeout);
        }
        if (checkpointPages < 1) {
            throw new IllegalArgumentException("checkpointPages must be >= 1: " + checkpointPages);
        }
        Objects.requireNonNull(commitListener, "commitListener");
    }

    /** A copy with {@code maxBatchSize}. */
    public SqliteStoreOptions maxBatchSize(int maxBatchSize) {
        return new SqliteStoreOptions(maxBatchSize, maxBatchDelay, queueCapacity, synchronous, busyTimeout, checkpointPages,
                commitListener);
    }

    /** A copy with {@code maxBatchDelay}. */
    public SqliteStoreOptions maxBatchDelay(Duration maxBatchDelay) {
        return new SqliteStoreOptions(maxBatchSize, maxBatchDelay, queueCapacity, synchronous, busyTimeout, checkpointPages,
                commitListener);
    }

    /** A copy with {@code queueCapacity}. */
    public SqliteStoreOptions queueCapacity(int queueCapacity) {
        return new SqliteStoreOptions(maxBatchSize, maxBatchDelay, queueCapacity, synchronous, busyTimeout, checkpointPages,
                commitListener);
    }

    /** A copy with {@code synchronous}. */
    public SqliteStoreOptions synchronous(Synchronous synchronous) {
        return new SqliteStoreOptions(maxBatchSize, maxBatchDelay, queueCapacity, synchronous, busyTimeout, checkpointPages,
                commitListener);
    }

    /** A copy with {@code checkpointPages}. */
    public SqliteStoreOptions checkpointPages(int checkpointPages) {
        return new SqliteStoreOptions(maxBatchSize, maxBatchDelay, queueCapacity, synchronous, busyTimeout, checkpointPages,
                commitListener);
    }

    /** A copy with {@code busyTimeout}. */
    public SqliteStoreOptions busyTimeout(Duration busyTimeout) {
        return new SqliteStoreOptions(maxBatchSize, maxBatchDelay, queueCapacity, synchronous, busyTimeout, checkpointPages,
                commitListener);
    }

    /** A copy with {@code commitListener} ({@code null} for none). */
    public SqliteStoreOptions commitListener(LongConsumer commitListener) {
        return new SqliteStoreOptions(maxBatchSize, maxBatchDelay, queueCapacity, synchronous, busyTimeout, checkpointPages,
                commitListener == null ? NO_LISTENER : commitListener);
    }
}
