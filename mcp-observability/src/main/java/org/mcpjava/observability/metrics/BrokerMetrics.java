package org.mcpjava.observability.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.mcpjava.broker.Broker;
import org.mcpjava.broker.BrokerStats;
import org.mcpjava.broker.Session;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The broker's counters ({@link BrokerStats}) as function counters, and gauges of its sessions and
 * queues. Nothing is added to the publish path: counters are read at scrape time, and the session
 * gauges walk the sessions at most once per {@code snapshotMillis} (each scrape reads several of
 * them).
 */
final class BrokerMetrics implements MeterBinder {
    private final Broker broker;
    private final long snapshotMillis;
    private volatile Snapshot snapshot = new Snapshot(0, 0, 0, 0, 0, Long.MIN_VALUE);

    private record Snapshot(int attached, int detached, long backlog, long maxBacklog, long inflight, long takenAtNanos) {
    }

    BrokerMetrics(Broker broker, long snapshotMillis) {
        this.broker = broker;
        this.snapshotMillis = snapshotMillis;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        BrokerStats s = broker.stats();
        for (int qos = 0; qos < 3; qos++) {
            counter(registry, MetricNames.PUBLISHES, "PUBLISH accepted from clients, by QoS", s.received[qos], "qos", qos);
            counter(registry, MetricNames.DELIVERIES, "Messages handed to subscriber sessions, by delivered QoS",
                    s.routed[qos], "qos", qos);
        }
        counter(registry, MetricNames.RETRANSMISSIONS, "PUBLISH re-sent with DUP (resume, NACK retry)",
                s.retransmitted, null, 0);
        counter(registry, MetricNames.NACKS, "NACK received from subscribers, or NACK(OVERLOADED) sent to publishers",
                s.nacksReceived, "direction", "received");
        counter(registry, MetricNames.NACKS, "NACK received from subscribers, or NACK(OVERLOADED) sent to publishers",
                s.overloadNacks, "direction", "sent");
        counter(registry, MetricNames.DROPPED, "Messages dropped", s.droppedQos0, "reason", "qos0");
        counter(registry, MetricNames.DROPPED, "Messages dropped", s.droppedQueueFull, "reason", "queue_full");
        counter(registry, MetricNames.DROPPED, "Messages dropped", s.expired, "reason", "expired");
        counter(registry, MetricNames.DROPPED, "Messages dropped", s.droppedTooLarge, "reason", "too_large");
        counter(registry, MetricNames.WINDOW_STALLS, "Deliveries paused because a client's RECEIVE_WINDOW was full",
                s.windowStalls, null, 0);
        counter(registry, MetricNames.SESSIONS_EXPIRED, "Sessions ended by their expiry", s.sessionsExpired, null, 0);

        gauge(registry, MetricNames.SESSIONS, "Pub/sub sessions", Snapshot::attached, "state", "attached");
        gauge(registry, MetricNames.SESSIONS, "Pub/sub sessions", Snapshot::detached, "state", "detached");
        gauge(registry, MetricNames.QUEUE_DEPTH, "Messages queued or in flight to clients, all sessions",
                Snapshot::backlog, null, null);
        gauge(registry, MetricNames.QUEUE_DEPTH_MAX, "The largest backlog of one session", Snapshot::maxBacklog, null, null);
        gauge(registry, MetricNames.INFLIGHT, "Messages sent to clients and not yet acknowledged, all sessions",
                Snapshot::inflight, null, null);
    }

    private static void counter(MeterRegistry registry, String name, String description, LongAdder adder,
                                String tag, Object value) {
        FunctionCounter.Builder<LongAdder> b = FunctionCounter.builder(name, adder, LongAdder::sum).description(description);
        if (tag != null) {
            b.tag(tag, String.valueOf(value));
        }
        b.register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<Snapshot> f,
                       String tag, String value) {
        Gauge.Builder<BrokerMetrics> b = Gauge.builder(name, this, m -> f.applyAsDouble(m.current()))
                .description(description)
                .strongReference(true);
        if (tag != null) {
            b.tag(tag, value);
        }
        b.register(registry);
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        if (now - s.takenAtNanos() < snapshotMillis * 1_000_000L && s.takenAtNanos() != Long.MIN_VALUE) {
            return s;
        }
        int attached = 0;
        int detached = 0;
        long backlog = 0;
        long max = 0;
        long inflight = 0;
        for (Session session : broker.sessions()) {
            if (session.isAttached()) {
                attached++;
            } else {
                detached++;
            }
            int b = session.backlog();
            backlog += b;
            max = Math.max(max, b);
            inflight += session.inflightCount();
        }
        s = new Snapshot(attached, detached, backlog, max, inflight, now);
        snapshot = s;
        return s;
    }
}
