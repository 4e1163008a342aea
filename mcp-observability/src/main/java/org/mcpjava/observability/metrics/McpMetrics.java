package org.mcpjava.observability.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.PooledByteBufAllocator;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.server.McpServer;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Micrometer metrics for MCP endpoints, registered in one {@link MeterRegistry} (for Prometheus, a
 * {@code PrometheusMeterRegistry}; see {@link MetricNames} and docs/operations.md for the names).
 *
 * <pre>{@code
 * McpMetrics metrics = McpMetrics.create(registry);
 * McpServer server = McpServer.builder().observer(metrics.observer()) ... .start();
 * metrics.bindServer(server);        // sockets, draining, broker counters, sessions and queues
 * McpMetrics.bindJvm(registry);      // JVM, process and Netty allocator
 * }</pre>
 *
 * <p>The {@link #observer() observer} serves any number of servers and clients of the process; their
 * events add up. Thread-safe.
 */
public final class McpMetrics {
    /** Distinct opcodes with their own latency series; the rest share {@code opcode="other"}. */
    public static final int DEFAULT_MAX_OPCODES = 256;

    private final MeterRegistry registry;
    private final MetricsObserver observer;
    private volatile Timer storeCommit;
    private JvmGcMetrics gcMetrics;

    private McpMetrics(MeterRegistry registry, int maxOpcodes) {
        this.registry = registry;
        this.observer = new MetricsObserver(registry, maxOpcodes);
    }

    /** Metrics in {@code registry}, with {@link #DEFAULT_MAX_OPCODES}. */
    public static McpMetrics create(MeterRegistry registry) {
        return create(registry, DEFAULT_MAX_OPCODES);
    }

    /** Metrics in {@code registry}, with latency series for at most {@code maxOpcodes} distinct opcodes. */
    public static McpMetrics create(MeterRegistry registry, int maxOpcodes) {
        Objects.requireNonNull(registry, "registry");
        if (maxOpcodes < 1 || maxOpcodes > 0x10000) {
            throw new IllegalArgumentException("maxOpcodes must be 1-65536: " + maxOpcodes);
        }
        return new McpMetrics(registry, maxOpcodes);
    }

    /** The registry the meters are in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The engine observer to give {@code McpServer.Builder.observer} and {@code McpClient.Builder.observer}. */
    public EngineObserver observer() {
        return observer;
    }

    /**
     * Registers the gauges of a started or starting {@code server} (sockets, draining) and, with
     * pub/sub, its broker's counters and session gauges. Bind each server once.
     */
    public McpMetrics bindServer(McpServer server) {
        Objects.requireNonNull(server, "server");
        Gauge.builder(MetricNames.SERVER_SOCKETS, server, McpServer::openSockets)
                .description("Sockets open, including connections still in the handshake")
                .strongReference(true).register(registry);
        Gauge.builder(MetricNames.SERVER_DRAINING, server, s -> s.isDraining() ? 1 : 0)
                .description("1 while the server drains (graceful shutdown)")
                .strongReference(true).register(registry);
        if (server.broker() != null) {
            new BrokerMetrics(server.broker(), 1000).bindTo(registry);
        }
        return this;
    }

    /**
     * A listener for the session store's commit durations in nanoseconds (e.g.
     * {@code SqliteStoreOptions.commitListener}), recorded in {@value MetricNames#STORE_COMMIT}.
     */
    public LongConsumer storeCommitListener() {
        Timer t = storeCommit;
        if (t == null) {
            t = Timer.builder(MetricNames.STORE_COMMIT)
                    .description("Duration of the session store's commits")
                    .serviceLevelObjectives(LatencyFamily.BUCKETS)
                    .register(registry);
            storeCommit = t;
        }
        Timer timer = t;
        return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Registers JVM (memory, GC, threads, class loading), process (CPU, uptime, file descriptors)
     * and Netty pooled-allocator metrics in this registry. Call {@link #close()} to stop the GC
     * listener.
     */
    public synchronized McpMetrics bindJvm() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        if (gcMetrics == null) {
            gcMetrics = new JvmGcMetrics();
            gcMetrics.bindTo(registry);
        }
        // The allocator MCP servers and clients use (see McpServer#start).
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        return this;
    }

    /** Stops what {@link #bindJvm()} started (the GC notification listener). Idempotent. */
    public synchronized void close() {
        if (gcMetrics != null) {
            gcMetrics.close();
            gcMetrics = null;
        }
    }
}
