package org.mcpjava.cli.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.mcpjava.client.ClientResources;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Message;
import org.mcpjava.core.Payload;
import org.mcpjava.wire.Codecs;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The pub/sub mode of {@code mcp bench}: P publishers each keep N messages in flight (QoS 0: N
 * unflushed publishes per burst) to one topic that S subscribers subscribe to. Throughput is
 * messages delivered to subscribers per second; latency is from publish to delivery, measured with
 * the publisher's nanoTime carried in the payload (all clients run in this one process).
 *
 * <p>With {@code --session-expiry} > 0 every session is durable: a server with a store then keeps
 * each QoS 1/2 delivery on disk before it is sent (and the publisher's QoS 2 packet ids), which is
 * what a durable-store figure has to measure. With 0 (the default) nothing is stored.
 */
final class PubSubBench {
    private final BenchCommand cmd;
    private final Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    private final LongAdder delivered = new LongAdder();
    private final LongAdder published = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicLong outstanding = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean measuring;
    private volatile String firstError;
    private byte[] filler;
    private String topic;
    /** CPU cores busy in the measured window: this process, and the --server-pid process (NaN: not asked). */
    private double clientCores = Double.NaN;
    private double serverCores = Double.NaN;

    PubSubBench(BenchCommand cmd) {
        this.cmd = cmd;
    }

    int run(PrintWriter out, PrintWriter err) throws Exception {
        int size = Math.max(8, cmd.size);
        filler = new byte[size - 8];
        ThreadLocalRandom.current().nextBytes(filler);
        topic = "bench/" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "/data";
        int ioThreads = cmd.threads > 0 ? cmd.threads : Runtime.getRuntime().availableProcessors();
        List<McpClient> subs = new ArrayList<>();
        List<McpClient> pubs = new ArrayList<>();
        // Subscribers get their own threads, so busy publishers cannot starve their reads.
        try (ClientResources resources = ClientResources.create(ioThreads);
             ClientResources subResources = ClientResources.create(Math.max(1, ioThreads / 2))) {
            try {
                for (int i = 0; i < cmd.subscribers; i++) {
                    McpClient s = cmd.connect.clientBuilder("mcp-bench-sub-" + i).resources(subResources).callTimeout(null)
                            .session(ClientSession.create(cmd.sessionExpiry)).connect();
                    subs.add(s);
                    McpClient.await(s.subscribe(topic, cmd.qos, this::onMessage));
                }
                for (int i = 0; i < cmd.publishers; i++) {
                    pubs.add(cmd.connect.clientBuilder("mcp-bench-pub-" + i).resources(resources).callTimeout(null)
                            .session(ClientSession.create(cmd.sessionExpiry)).connect());
                }
            } catch (McpException e) {
                err.println("error: " + e.getMessage());
                return org.mcpjava.cli.ExitCodes.forError(e);
            }
            if (!cmd.json) {
                out.printf(Locale.ROOT, "mcp bench pubsub: %s:%d, %d publisher(s) x %d in flight -> %d subscriber(s), QoS %d, "
                                + "%d B payload, session expiry %d s, warm-up %s, %s%n", cmd.connect.host, cmd.connect.port, cmd.publishers,
                        cmd.inFlight, cmd.subscribers, cmd.qos, size, cmd.sessionExpiry, BenchCommand.human(cmd.warmup), BenchCommand.human(cmd.duration));
                out.flush();
            }
            for (McpClient p : pubs) {
                for (int i = 0; i < cmd.inFlight; i++) {
                    outstanding.incrementAndGet();
                    fire(p);
                }
            }
            TimeUnit.MILLISECONDS.sleep(cmd.warmup.toMillis());
            recorder.getIntervalHistogram();
            delivered.reset();
            published.reset();
            errors.reset();
            double clientCpu0 = ProcessCpu.self();
            double serverCpu0 = cmd.serverPid > 0 ? ProcessCpu.of(cmd.serverPid) : Double.NaN;
            measuring = true;
            long start = System.nanoTime();
            TimeUnit.MILLISECONDS.sleep(cmd.duration.toMillis());
            measuring = false;
            long elapsed = System.nanoTime() - start;
            clientCores = (ProcessCpu.self() - clientCpu0) / (elapsed / 1e9);
            serverCores = cmd.serverPid > 0 ? (ProcessCpu.of(cmd.serverPid) - serverCpu0) / (elapsed / 1e9) : Double.NaN;
            running = false;
            Histogram h = recorder.getIntervalHistogram();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (outstanding.get() > 0 && System.nanoTime() < until) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
            report(out, elapsed, h, size);
            return errors.sum() > 0 ? org.mcpjava.cli.ExitCodes.REMOTE_ERROR : org.mcpjava.cli.ExitCodes.OK;
        } finally {
            for (McpClient c : pubs) {
                closeQuietly(c);
            }
            for (McpClient c : subs) {
                closeQuietly(c);
            }
        }
    }

    private static void closeQuietly(McpClient c) {
        try {
            c.close();
        } catch (RuntimeException ignored) {
            // best effort at exit
        }
    }

    private void fire(McpClient publisher) {
        ByteBuf body = Unpooled.buffer(8 + filler.length);
        body.writeLong(System.nanoTime()).writeBytes(filler);
        publisher.publish(topic, cmd.qos, false, Payload.of(Codecs.RAW, body)).whenComplete((v, e) -> {
            if (e != null) {
                errors.increment();
                if (firstError == null) {
                    firstError = String.valueOf(e.getMessage());
                }
                if (!publisher.isActive()) {
                    outstanding.decrementAndGet();
                    return;
                }
            } else if (measuring) {
                published.increment();
            }
            if (running) {
                fire(publisher);
            } else {
                outstanding.decrementAndGet();
            }
        });
    }

    private void onMessage(Message m) {
        if (measuring) {
            long sent = ByteBuffer.wrap(m.payload(), 0, 8).getLong();
            recorder.recordValue(Math.max(0, Math.min(System.nanoTime() - sent, TimeUnit.SECONDS.toNanos(60))));
            delivered.increment();
        }
    }

    private void report(PrintWriter out, long elapsedNanos, Histogram h, int size) {
        double secs = elapsedNanos / 1e9;
        double rate = delivered.sum() / secs;
        if (cmd.json) {
            out.printf(Locale.ROOT, "{\"mode\":\"pubsub\",\"publishers\":%d,\"subscribers\":%d,\"inFlight\":%d,\"qos\":%d,\"sessionExpiry\":%d,"
                            + "\"size\":%d,\"durationS\":%.3f,\"published\":%d,\"delivered\":%d,\"errors\":%d,\"deliveredPerS\":%.1f,"
                            + "\"publishedPerS\":%.1f,\"p50Us\":%.1f,\"p90Us\":%.1f,\"p99Us\":%.1f,\"p999Us\":%.1f,\"maxUs\":%.1f",
                    cmd.publishers, cmd.subscribers, cmd.inFlight, cmd.qos, cmd.sessionExpiry, size, secs, published.sum(), delivered.sum(),
                    errors.sum(), rate, published.sum() / secs, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
                    h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
            if (!Double.isNaN(clientCores)) {
                out.printf(Locale.ROOT, ",\"clientCores\":%.2f", clientCores);
            }
            if (!Double.isNaN(serverCores)) {
                out.printf(Locale.ROOT, ",\"serverCores\":%.2f", serverCores);
            }
            out.println("}");
        } else {
            out.printf(Locale.ROOT, "published  %,d (%,.0f msg/s), delivered %,d in %.2f s, errors %d%n",
                    published.sum(), published.sum() / secs, delivered.sum(), secs, errors.sum());
            out.printf(Locale.ROOT, "throughput %,.0f deliveries/s%n", rate);
            out.printf(Locale.ROOT, "latency    p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us (publish to delivery)%n",
                    h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
            if (!Double.isNaN(clientCores)) {
                out.printf(Locale.ROOT, "cpu        bench %.2f cores%s%n", clientCores,
                        Double.isNaN(serverCores) ? "" : String.format(Locale.ROOT, ", server %.2f cores", serverCores));
            }
            if (firstError != null) {
                out.println("first error: " + firstError);
            }
        }
        out.flush();
    }
}
