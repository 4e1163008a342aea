package org.mcpjava.resilience.internal;

import org.mcpjava.client.ClientResources;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.CallOptions;
import org.mcpjava.resilience.Scheduler;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The life of a {@link org.mcpjava.resilience.ResilientClient} or a
 * {@link org.mcpjava.resilience.ConnectionPool}, from build to close: the scheduler and I/O threads
 * it runs on (the ones its builder was given, or its own, created here and closed by
 * {@link #releaseThreads()}), whether it was started and closed, and how long its close waits for
 * the connections. Thread-safe.
 */
public final class ClientLifecycle {
    private final String name;
    private final Logger log;
    private final Scheduler scheduler;
    private final boolean ownsScheduler;
    private final ClientResources resources;
    private final boolean ownsResources;
    private final Duration closeWait;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param name        the client's name, for thread names, errors and log lines
     * @param log         the client's logger
     * @param scheduler   the builder's scheduler, or {@code null} for one of the client's own
     * @param resources   the builder's I/O threads, or {@code null} for {@code ioThreads} of the client's own
     * @param goawayGrace how long a connection may finish after GOAWAY; close waits 15 s more
     */
    public ClientLifecycle(String name, Logger log, Scheduler scheduler, ClientResources resources, int ioThreads,
                           Duration goawayGrace) {
        this.name = name;
        this.log = log;
        this.ownsScheduler = scheduler == null;
        this.scheduler = ownsScheduler ? new DefaultScheduler(name) : scheduler;
        this.ownsResources = resources == null;
        this.resources = ownsResources ? ClientResources.create(ioThreads) : resources;
        this.closeWait = goawayGrace.plusSeconds(15);
    }

    /** The clock and timer the client runs on. */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** The I/O threads of the client's connections. */
    public ClientResources resources() {
        return resources;
    }

    /**
     * Marks the client started: {@code true} the first time, {@code false} after.
     *
     * @throws IllegalStateException once the client is closed
     */
    public boolean start() {
        if (closed.get()) {
            throw new IllegalStateException(name + " is closed");
        }
        return started.compareAndSet(false, true);
    }

    /**
     * Hands the call to {@code calls} once the client is started; before that, releases
     * {@code payload} (ownership passed with the call) and fails with {@link IllegalStateException}.
     */
    public CompletableFuture<Payload> call(CallDispatcher calls, int opcode, Payload payload, CallOptions options) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(options, "options");
        if (!started.get()) {
            payload.release();
            return CompletableFuture.failedFuture(new IllegalStateException(name + " is not started"));
        }
        return calls.call(opcode, payload, options);
    }

    /** Marks the client closed: {@code true} the first time, {@code false} after. */
    public boolean close() {
        return closed.compareAndSet(false, true);
    }

    /**
     * Closes the client's connections with {@code closing} and waits for them up to the close wait;
     * logs (naming them {@code what}) if that fails or they did not close in time. Blocks; does not
     * throw an exception.
     */
    public void closeConnections(Supplier<? extends CompletableFuture<?>> closing, String what) {
        try {
            closing.get().get(closeWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("{}: {} did not close within {} ms", name, what, closeWait.toMillis());
        }
    }

    /** Closes the I/O threads, then the scheduler, of those the client created. */
    public void releaseThreads() {
        if (ownsResources) {
            resources.close();
        }
        if (ownsScheduler) {
            ((DefaultScheduler) scheduler).close();
        }
    }
}
