package org.mcpjava.resilience.e2e;

import org.mcpjava.core.Payload;
import org.mcpjava.resilience.ConnectionPool;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady stream of calls through a pool, from a thread of its own, with a bounded number
 * outstanding, until stopped: counts the replies that echo their request, and keeps every failure
 * (a wrong reply is one too). Replies are released.
 */
final class CallStream implements AutoCloseable {
    private final ConnectionPool pool;
    private final int opcode;
    private final int outstanding;
    private final Semaphore permits;
    private final AtomicInteger ok = new AtomicInteger();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    /** Starts calling {@code opcode} on {@code pool}, at most {@code outstanding} at a time. */
    CallStream(ConnectionPool pool, int opcode, int outstanding, String name) {
        this.pool = pool;
        this.opcode = opcode;
        this.outstanding = outstanding;
        this.permits = new Semaphore(outstanding);
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        for (int i = 0; !stopped; i++) {
            try {
                if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue; // all outstanding: look at the stop flag again
                }
            } catch (InterruptedException e) {
                return;
            }
            String text = "call " + i;
            pool.call(opcode, Payload.utf8(text)).whenComplete((reply, error) -> {
                try {
                    if (error != null) {
                        failures.add(error);
                    } else if (!text.equals(reply.toUtf8())) {
                        failures.add(new AssertionError("reply to " + text + ": " + reply.toUtf8()));
                    } else {
                        ok.incrementAndGet();
                    }
                } finally {
                    if (reply != null) {
                        reply.release();
                    }
                    permits.release();
                }
            });
        }
    }

    /** Calls answered correctly so far. */
    int ok() {
        return ok.get();
    }

    /** Calls that failed so far. */
    List<Throwable> failures() {
        return failures;
    }

    /** Stops calling and waits until every call made has ended. Idempotent. */
    @Override
    public void close() throws InterruptedException {
        if (stopped) {
            return;
        }
        stopped = true;
        thread.join(Servers.WAIT.toMillis());
        if (!permits.tryAcquire(outstanding, Servers.WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("calls still outstanding after " + Servers.WAIT + "; failures: " + failures);
        }
    }
}
