package org.mcpjava.resilience.internal;

import org.mcpjava.core.McpException;
import org.mcpjava.resilience.Scheduler;
import org.mcpjava.wire.ErrorCode;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A supervisor's periodic health probe: once armed, after the {@code HealthPolicy}'s check interval
 * it PINGs the link that is current then, and feeds the answer (or its absence within the link's
 * RTO) to that link's {@link HealthMonitor}. It then hands the link to {@code probed}, which judges
 * the health and arms the next check; one check is armed at a time. A zero interval disables it.
 *
 * <p>Not thread-safe: confined to the supervisor's scheduler.
 */
final class HealthCheck {
    private final Scheduler scheduler;
    private final Duration interval;
    private final Supplier<Link> target;
    private final Consumer<Link> probed;
    private Scheduler.Cancellable timer;

    /**
     * @param target the link to probe when the check fires, or {@code null} for none (the
     *               supervisor closed or between connections)
     * @param probed told, on the scheduler, once a probe of the link has been answered or timed out
     */
    HealthCheck(Scheduler scheduler, Duration interval, Supplier<Link> target, Consumer<Link> probed) {
        this.scheduler = scheduler;
        this.interval = interval;
        this.target = target;
        this.probed = probed;
    }

    /** Schedules the next probe (unless checks are disabled). */
    void arm() {
        if (interval.isZero()) {
            return;
        }
        timer = scheduler.schedule(this::probe, interval);
    }

    /** Whether a probe is scheduled. */
    boolean armed() {
        return timer != null;
    }

    /** Cancels the scheduled probe, if any; a probe already waiting for its PING still reports. */
    void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void probe() {
        timer = null;
        Link link = target.get();
        if (link == null) {
            return;
        }
        HealthMonitor health = link.health();
        AtomicBoolean settled = new AtomicBoolean();
        Scheduler.Cancellable timeout = scheduler.schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                health.failure();
                probed.accept(link);
            }
        }, health.rto());
        CompletableFuture<Duration> ping;
        try {
            ping = link.ping();
        } catch (RuntimeException e) {
            ping = CompletableFuture.failedFuture(e);
        }
        ping.whenComplete((rtt, error) -> scheduler.execute(() -> {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            timeout.cancel();
            if (error == null) {
                health.success(rtt);
            } else if (!McpException.hasCode(error, ErrorCode.UNAVAILABLE)) {
                health.failure();
            }
            probed.accept(link);
        }));
    }
}
