package org.mcpjava.store.sqlite;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.StoredMessage;
import org.sqlite.SQLiteCommitListener;
import org.sqlite.SQLiteConnection;

/**
 * A stand-alone throughput harness (not a test: it asserts nothing and takes its time). Models the
 * broker's QoS 1 load on the store: each of {@code threads} publishers stores {@code barrierEvery}
 * messages for its durable subscriber ({@code addOutbound}), waits for one {@code barrier()} (the
 * PUBACKs it would then send), and then removes them ({@code removeOutbound}: the subscriber's
 * PUBACKs). Prints messages per second for a warm-up and three measured runs, each on a new file.
 *
 * <p>Run from the module directory after {@code mvn test-compile}:
 * <pre>
 * ../mvnw -q -o dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     org.mcpjava.store.sqlite.SqliteStoreThroughput [messages] [threads] [barrierEvery] [payloadBytes] [NORMAL|FULL] [update]
 * </pre>
 * {@code -Dbench.pragmas="wal_autocheckpoint=10000;cache_size=-65536"} runs extra PRAGMAs on the
 * store's connection first, to try tunings. {@code update} adds an {@code updateOutbound} (QUEUED to PUBLISHED) per message, as a broker
 * does when it sends a queued message.
 */
public final class SqliteStoreThroughput {
    private SqliteStoreThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int every = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int payload = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        SqliteStoreOptions.Synchronous sync = args.length > 4
                ? SqliteStoreOptions.Synchronous.valueOf(args[4]) : SqliteStoreOptions.Synchronous.NORMAL;
        boolean update = args.length > 5 && args[5].equals("update");
        System.out.printf(Locale.ROOT, "%d messages, %d threads, barrier every %d, %d-byte payloads, synchronous=%s%s%n",
                messages, threads, every, payload, sync, update ? ", with updateOutbound" : "");
        Path dir = Files.createTempDirectory("mcp-sqlite-bench");
        try {
            for (int run = 0; run < 4; run++) {
                Path file = dir.resolve("bench-" + run + ".db");
                Result r = run(file, SqliteStoreOptions.defaults().synchronous(sync), messages, threads, every, payload, update);
                System.out.printf(Locale.ROOT, "%s: %,.0f msgs/s (%,.0f store ops/s), %.0f ms, %d commits,"
                        + " %.0f msgs/commit, writer thread on CPU %.0f%% of the time%n",
                        run == 0 ? "warm-up " : "run " + run + "   ", r.messagesPerSecond(), r.opsPerSecond(),
                        r.nanos / 1e6, r.commits, (double) messages / Math.max(1, r.commits),
                        100.0 * r.writerCpuNanos / r.nanos);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                System.err.println("could not delete " + dir + ": " + e);
            }
        }
    }

    /** CPU time of the store's writer thread so far. */
    private static long writerCpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("mcp-sqlite-writer")) {
                return mx.getThreadCpuTime(t.getId());
            }
        }
        return 0;
    }

    private record Result(int messages, int opsPerMessage, long nanos, int commits, long writerCpuNanos) {
        double messagesPerSecond() {
            return messages / (nanos / 1e9);
        }

        double opsPerSecond() {
            return messages * (double) opsPerMessage / (nanos / 1e9);
        }
    }

    private static Result run(Path file, SqliteStoreOptions options, int messages, int threads, int every, int payloadBytes,
                              boolean update) throws Exception {
        AtomicInteger commits = new AtomicInteger();
        try (SqliteSessionStore store = SqliteSessionStore.open(file, options)) {
            String pragmas = System.getProperty("bench.pragmas", "");
            store.read(conn -> {
                for (String pragma : pragmas.split(";")) {
                    if (!pragma.isBlank()) {
                        try (java.sql.Statement st = conn.createStatement()) {
                            st.execute("PRAGMA " + pragma);
                        }
                    }
                }
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
            byte[] payload = new byte[payloadBytes];
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            int perThread = messages / threads;
            for (int t = 0; t < threads; t++) {
                byte[] session = SessionStoreContract.id(t);
                store.saveSession(session, "bench-" + t, "bench", 3600, 1);
                Thread w = new Thread(() -> {
                    try {
                        start.await();
                        for (int done = 0; done < perThread; done += every) {
                            int n = Math.min(every, perThread - done);
                            for (int i = 0; i < n; i++) {
                                long seq = done + i;
                                store.addOutbound(session, new OutboundEntry(seq, 0, OutboundState.QUEUED,
                                        new StoredMessage("bench/topic", 1, false, 0, payload, 0)));
                                if (update) {
                                    store.updateOutbound(session, seq, seq + 1, OutboundState.PUBLISHED);
                                }
                            }
                            store.barrier().join();
                            for (int i = 0; i < n; i++) {
                                store.removeOutbound(session, done + i);
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "bench-publisher-" + t);
                workers.add(w);
                w.start();
            }
            store.barrier().join();
            commits.set(0);
            long writerCpu0 = writerCpuNanos();
            long t0 = System.nanoTime();
            start.countDown();
            for (Thread w : workers) {
                w.join();
            }
            store.barrier().join();
            long nanos = System.nanoTime() - t0;
            return new Result(perThread * threads, update ? 3 : 2, nanos, commits.get(), writerCpuNanos() - writerCpu0);
        }
    }
}
