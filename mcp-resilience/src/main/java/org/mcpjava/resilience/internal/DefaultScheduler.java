package org.mcpjava.resilience.internal;

import org.mcpjava.resilience.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The {@link Scheduler} a client creates when none is given: one daemon thread and the system's
 * monotonic clock. One thread makes the serial contract hold by construction. Closed by its owner.
 */
public final class DefaultScheduler implements Scheduler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DefaultScheduler.class);

    private final ScheduledThreadPoolExecutor executor;

    /** A scheduler whose thread is named {@code name}. */
    public DefaultScheduler(String name) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
        try {
            executor.execute(guard(task));
        } catch (RejectedExecutionException e) {
            log.debug("scheduler closed: task dropped");
        }
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        try {
            ScheduledFuture<?> f = executor.schedule(guard(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
            return () -> false;
        }
    }

    private static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("scheduled task failed", e);
            }
        };
    }

    /** Stops the thread; tasks not yet run are dropped. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
