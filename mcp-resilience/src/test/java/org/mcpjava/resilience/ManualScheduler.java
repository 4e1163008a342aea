package org.mcpjava.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Scheduler} whose clock only moves when a test calls {@link #advance(Duration)}. Tasks
 * given to {@link #execute} run at once on the submitting thread unless another thread is running
 * tasks, which then runs them: one at a time, in order, as the contract asks. Timers run (through
 * the same path) when the clock passes their due time. Thread-safe.
 */
public final class ManualScheduler implements Scheduler {
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long seq;

    private static final class Timer implements Comparable<Timer>, Cancellable {
        final long due;
        final long order;
        final Runnable task;
        volatile boolean cancelled;

        Timer(long due, long order, Runnable task) {
            this.due = due;
            this.order = order;
            this.task = task;
        }

        @Override
        public int compareTo(Timer o) {
            return due != o.due ? Long.compare(due, o.due) : Long.compare(order, o.order);
        }

        @Override
        public boolean cancel() {
            boolean was = !cancelled;
            cancelled = true;
            return was;
        }
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        drain();
    }

    private void drain() {
        while (!tasks.isEmpty() && running.compareAndSet(false, true)) {
            try {
                for (Runnable r; (r = tasks.poll()) != null; ) {
                    try {
                        r.run();
                    } catch (RuntimeException | Error e) {
                        failures.add(e); // as a real scheduler logs and carries on; tests check failures()
                    }
                }
            } finally {
                running.set(false);
            }
        }
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, Duration delay) {
        Timer t = new Timer(now.get() + Math.max(0, delay.toNanos()), seq++, task);
        timers.add(t);
        return t;
    }

    /** What tasks threw (a correct client throws nothing). */
    public List<Throwable> failures() {
        return failures;
    }

    /** Moves the clock forward by {@code by}, running every timer that falls due, in order. */
    public void advance(Duration by) {
        long target = now.get() + by.toNanos();
        while (true) {
            Timer next;
            synchronized (this) {
                next = timers.peek();
                if (next == null || next.due > target) {
                    break;
                }
                timers.poll();
                now.set(Math.max(now.get(), next.due));
            }
            if (!next.cancelled) {
                execute(next.task);
            }
        }
        now.set(Math.max(now.get(), target));
    }

    /** Moves the clock to the next timer's due time and runs it (and any due with it); returns the step. */
    public Duration advanceToNextTimer() {
        Duration step;
        synchronized (this) {
            Timer next = live();
            if (next == null) {
                throw new AssertionError("no timer is scheduled");
            }
            step = Duration.ofNanos(next.due - now.get());
        }
        advance(step);
        return step;
    }

    /** The delays from now of the timers not cancelled, soonest first. */
    public synchronized List<Duration> pendingDelays() {
        List<Timer> sorted = new ArrayList<>(timers);
        sorted.sort(null);
        List<Duration> out = new ArrayList<>();
        for (Timer t : sorted) {
            if (!t.cancelled) {
                out.add(Duration.ofNanos(t.due - now.get()));
            }
        }
        return out;
    }

    private Timer live() {
        while (!timers.isEmpty() && timers.peek().cancelled) {
            timers.poll();
        }
        return timers.peek();
    }
}
