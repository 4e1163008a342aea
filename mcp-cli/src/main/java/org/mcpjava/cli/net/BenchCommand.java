package org.mcpjava.cli.net;

import io.netty.buffer.Unpooled;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.mcpjava.client.ClientResources;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.wire.Codecs;
import picocli.CommandLine.Command;
import org.mcpjava.cli.ExitCodes;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code mcp bench}: a closed-loop request/response load generator. C connections each keep N
 * requests in flight; every completion immediately issues the next on the same connection. After
 * a warm-up it measures for a duration (or a count), printing a progress line each second, then
 * throughput and latency percentiles (HdrHistogram, from call to reply, in microseconds).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Closed-loop load: C connections x N requests in flight; prints throughput and latency percentiles.")
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    ConnectOptions connect;

    @Option(names = {"-c", "--connections"}, defaultValue = "1", description = "Connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = {"-n", "--in-flight"}, defaultValue = "1", description = "Requests in flight per connection (default ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = {"-s", "--size"}, defaultValue = "64", description = "Payload bytes (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = {"-d", "--duration"}, defaultValue = "10s", converter = DurationConverter.class,
            description = "Measured window, e.g. 10s, 1m (default ${DEFAULT-VALUE}); ignored with --count.")
    Duration duration;

    @Option(names = {"--count"}, defaultValue = "0", description = "Stop after this many measured requests (answered or failed) instead of a duration.")
    long count;

    @Option(names = {"-w", "--warmup"}, defaultValue = "5s", converter = DurationConverter.class,
            description = "Warm-up before measuring (default ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = {"--opcode"}, defaultValue = "0xFF01", converter = OpcodeConverter.class,
            description = "Opcode to call (default ECHO 0xFF01).")
    int opcode;

    @Option(names = {"--threads"}, defaultValue = "0", description = "Client I/O threads (default: min(connections, 2 x cores), Netty's default "
            + "event-loop count, as the load client of ../shared/peers uses).")
    int threads;

    @Option(names = "--mode", defaultValue = "rpc",
            description = "rpc (request/response, the default) or pubsub (publishers -> topic -> subscribers).")
    String mode;

    @Option(names = "--publishers", defaultValue = "1", description = "pubsub: publishing connections (default ${DEFAULT-VALUE}).")
    int publishers;

    @Option(names = "--subscribers", defaultValue = "1", description = "pubsub: subscribing connections (default ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = "--qos", defaultValue = "1", description = "pubsub: QoS of publishes and subscriptions (default ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = "--session-expiry", defaultValue = "0",
            description = "pubsub: SESSION_EXPIRY_S of every publisher's and subscriber's session; > 0 makes them "
                    + "durable, so a server with a store keeps their QoS 1/2 messages on disk (default ${DEFAULT-VALUE}).")
    long sessionExpiry;

    @Option(names = "--server-pid", defaultValue = "0",
            description = "pubsub: also report how busy this local process (the server) was in the measured window, "
                    + "in cores, from /proc (Linux); the bench's own CPU is always reported.")
    long serverPid;

    @Option(names = {"--json"}, description = "Print the result as one JSON object (for scripts).")
    boolean json;

    @Option(names = {"--no-progress"}, description = "No live progress line.")
    boolean noProgress;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    private final LongAdder completed = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicLong outstanding = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean measuring;
    private volatile String firstError;
    private byte[] payload;
    private io.netty.buffer.ByteBuf sharedPayload;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ("pubsub".equals(mode)) {
            if (publishers < 1 || subscribers < 0 || inFlight < 1 || qos < 0 || qos > 2
                    || sessionExpiry < 0 || sessionExpiry > 0xFFFF_FFFFL) {
                err.println("error: pubsub needs publishers >= 1, subscribers >= 0, in-flight >= 1, qos 0-2, "
                        + "session-expiry 0-4294967295");
                return ExitCodes.USAGE;
            }
            return new PubSubBench(this).run(out, err);
        }
        if (!"rpc".equals(mode)) {
            err.println("error: --mode must be rpc or pubsub: " + mode);
            return ExitCodes.USAGE;
        }
        if (connections < 1 || inFlight < 1 || size < 0) {
            err.println("error: connections and in-flight must be positive, size non-negative");
            return ExitCodes.USAGE;
        }
        payload = new byte[size];
        ThreadLocalRandom.current().nextBytes(payload);
        // One read-only buffer shared by every call: encoding reads it without moving its indexes,
        // and releasing it is a no-op, so a call allocates no payload buffer of its own.
        sharedPayload = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(payload).asReadOnly());
        // Netty's default event-loop count (2 x cores), as the peers' load client has; no more threads
        // than connections. With one thread per core instead, 16 x 16 showed a p99 four times higher.
        int ioThreads = threads > 0 ? threads
                : Math.max(1, Math.min(connections, 2 * Runtime.getRuntime().availableProcessors()));
        List<McpClient> clients = new ArrayList<>();
        try (ClientResources resources = ClientResources.create(ioThreads)) {
            try {
                for (int i = 0; i < connections; i++) {
                    clients.add(connect.clientBuilder("mcp-bench-" + i)
                            .resources(resources)
                            .callTimeout(null)
                            .maxFrame(Math.max(4 * 1024 * 1024, size + 1024))
                            .connect());
                }
            } catch (McpException e) {
                err.println("error: " + e.getMessage());
                return ExitCodes.forError(e);
            }
            if (!json) {
                out.printf(Locale.ROOT, "mcp bench: %s:%d, %d connection(s) x %d in flight, %d B payload, opcode 0x%04x, "
                                + "warm-up %s, %s%n", connect.host, connect.port, connections, inFlight, size, opcode,
                        human(warmup), count > 0 ? count + " requests" : human(duration));
                out.flush();
            }
            for (McpClient c : clients) {
                for (int i = 0; i < inFlight; i++) {
                    outstanding.incrementAndGet();
                    fire(c);
                }
            }
            sleepWithProgress(warmup, "warm-up", err);
            recorder.getIntervalHistogram(); // discard the warm-up
            completed.reset();
            errors.reset();
            measuring = true;
            long start = System.nanoTime();
            Histogram total = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long deadline = start + duration.toNanos();
            long lastPrint = start;
            long lastCount = 0;
            while (true) {
                long now = System.nanoTime();
                // With --count, failed requests count too: a bench whose every call fails must end.
                if (count > 0 ? completed.sum() + errors.sum() >= count : now >= deadline) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(count > 0 ? 10 : Math.min(100, Math.max(1, (deadline - now) / 1_000_000)));
                if (!noProgress && !json && System.nanoTime() - lastPrint >= TimeUnit.SECONDS.toNanos(1)) {
                    long n = completed.sum();
                    double secs = (System.nanoTime() - lastPrint) / 1e9;
                    err.printf(Locale.ROOT, "\r  %6.1fs  %,12d req  %,10.0f req/s  errors %d   ",
                            (System.nanoTime() - start) / 1e9, n, (n - lastCount) / secs, errors.sum());
                    err.flush();
                    lastPrint = System.nanoTime();
                    lastCount = n;
                }
            }
            measuring = false;
            long elapsed = System.nanoTime() - start;
            running = false;
            total.add(recorder.getIntervalHistogram());
            long done = completed.sum();
            long failed = errors.sum();
            if (!noProgress && !json) {
                err.print("\r" + " ".repeat(70) + "\r");
                err.flush();
            }
            awaitDrain();
            report(out, done, failed, elapsed, total, resources);
            return failed > 0 ? ExitCodes.REMOTE_ERROR : ExitCodes.OK;
        } finally {
            for (McpClient c : clients) {
                try {
                    c.close();
                } catch (RuntimeException ignored) {
                    // best effort at exit
                }
            }
        }
    }

    private void fire(McpClient client) {
        long start = System.nanoTime();
        client.call(opcode, Payload.of(Codecs.RAW, sharedPayload), (Duration) null).whenComplete((reply, error) -> {
            long latency = System.nanoTime() - start;
            if (error == null) {
                int got = reply.size();
                reply.release();
                if (got != payload.length && opcode == 0xFF01) {
                    errors.increment();
                    firstError = "echo returned " + got + " bytes, sent " + payload.length;
                } else if (measuring) {
                    recorder.recordValue(Math.min(latency, TimeUnit.SECONDS.toNanos(60)));
                    completed.increment();
                }
            } else {
                if (measuring) {
                    errors.increment();
                }
                if (firstError == null) {
                    firstError = String.valueOf(McpException.find(error) != null ? McpException.find(error).getMessage() : error);
                }
                if (!client.isActive()) {
                    outstanding.decrementAndGet();
                    return;
                }
            }
            if (running) {
                fire(client);
            } else {
                outstanding.decrementAndGet();
            }
        });
    }

    private void awaitDrain() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (outstanding.get() > 0 && System.nanoTime() < until) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    private void sleepWithProgress(Duration d, String phase, PrintWriter err) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    private void report(PrintWriter out, long done, long failed, long elapsedNanos, Histogram h, ClientResources res) {
        double secs = elapsedNanos / 1e9;
        double rps = done / secs;
        if (json) {
            out.printf(Locale.ROOT, "{\"host\":\"%s\",\"port\":%d,\"connections\":%d,\"inFlight\":%d,\"size\":%d,"
                            + "\"opcode\":%d,\"durationS\":%.3f,\"requests\":%d,\"errors\":%d,\"rps\":%.1f,"
                            + "\"p50Us\":%.1f,\"p90Us\":%.1f,\"p99Us\":%.1f,\"p999Us\":%.1f,\"maxUs\":%.1f,\"meanUs\":%.1f%s}%n",
                    connect.host, connect.port, connections, inFlight, size, opcode, secs, done, failed, rps,
                    us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(90)), us(h.getValueAtPercentile(99)),
                    us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()), h.getMean() / 1000.0,
                    firstError == null ? "" : ",\"firstError\":\"" + firstError.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        } else {
            out.printf(Locale.ROOT, "requests   %,d in %.2f s, errors %d%n", done, secs, failed);
            out.printf(Locale.ROOT, "throughput %,.0f req/s%n", rps);
            out.printf(Locale.ROOT, "latency    p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us  mean %.1f us%n",
                    us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(90)), us(h.getValueAtPercentile(99)),
                    us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()), h.getMean() / 1000.0);
            if (firstError != null) {
                out.println("first error: " + firstError);
            }
        }
        out.flush();
    }

    private static double us(long nanos) {
        return nanos / 1000.0;
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
