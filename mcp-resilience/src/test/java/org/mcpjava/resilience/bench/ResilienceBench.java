package org.mcpjava.resilience.bench;

import org.mcpjava.client.McpClient;
import org.mcpjava.resilience.ClientState;
import org.mcpjava.resilience.HealthPolicy;
import org.mcpjava.resilience.InMemoryOfflineQueue;
import org.mcpjava.resilience.OfflineQueue;
import org.mcpjava.resilience.ReconnectPolicy;
import org.mcpjava.resilience.ResilientClient;
import org.mcpjava.resilience.SqliteOfflineQueue;
import org.mcpjava.resilience.e2e.ChildJvm;
import org.mcpjava.resilience.e2e.ServerMain;
import org.mcpjava.resilience.e2e.Servers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figures for docs/benchmarks.md, "Client resilience". Not a test: it prints numbers and asserts
 * nothing. The server runs in its own JVM (leak detection off), as in production.
 *
 * <ol>
 *   <li><b>Drain.</b> With the server down, publish N QoS 1 messages into the offline queue (SQLite
 *       or memory) and flush; start the server; time from the client's CONNECTED to the last
 *       PUBACK. For SQLite also after a client restart: a new client recovers the N messages from
 *       the file, then the server starts.</li>
 *   <li><b>Reconnect and resume.</b> A server with a SQLite session store is stopped for a while and
 *       started again; time from "listening" to the client's CONNECTED with its session resumed,
 *       against the backoff step the client was in (no jitter) plus the round-trip time.</li>
 * </ol>
 *
 * <p>Usage: {@code ResilienceBench [messages=200000] [payloadBytes=64] [rounds=3] [outageRepeats=1]}
 */
public final class ResilienceBench {
    private static final List<String> SERVER_JVM = List.of("-Dio.netty.leakDetection.level=disabled", "-Xmx1g");

    private ResilienceBench() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int payload = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Path dir = Files.createTempDirectory("resilience-bench");
        System.out.printf("cores %d, java %s, load %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Files.readString(Path.of("/proc/loadavg")).trim());
        for (int r = 1; r <= rounds; r++) {
            drain(dir, "memory", false, messages, payload, r);
            drain(dir, "sqlite", false, messages, payload, r);
            drain(dir, "sqlite", true, messages, payload, r);
        }
        double[] outages = {0.3, 1.2, 3.0, 6.0};
        double[] all = new double[outages.length * repeats];
        for (int i = 0; i < all.length; i++) {
            all[i] = outages[i % outages.length];
        }
        reconnect(dir, all);
        System.exit(0);
    }

    private static void drain(Path dir, String kind, boolean restart, int n, int size, int round) throws Exception {
        int port = Servers.freePort();
        Path file = dir.resolve("queue-" + kind + "-" + round + (restart ? "-restart" : "") + ".db");
        byte[] body = new byte[size];
        OfflineQueue memory = new InMemoryOfflineQueue();
        ResilientClient.Builder b = ResilientClient.builder().endpoints("127.0.0.1:" + port).queueCapacity(n)
                .queueMaxBytes(1L << 32).reconnectPolicy(ReconnectPolicy.defaults().initialDelay(Duration.ofMillis(20))
                        .maxDelay(Duration.ofMillis(20)).jitter(0).pauseAfter(0, Duration.ofMinutes(2)))
                .healthPolicy(HealthPolicy.defaults().checkInterval(Duration.ZERO));
        if (kind.equals("sqlite")) {
            b.offlineQueue(file);
        } else {
            b.offlineQueue(memory);
        }
        ResilientClient client = b.build().start();
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> acks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            acks.add(client.publish("bench/" + (i % 16), 1, body));
        }
        client.flush().join();
        double queueRate = n * 1e9 / (System.nanoTime() - t0);
        CompletableFuture<Void> all = CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0]));
        if (restart) {
            client.close(); // the futures fail; the messages stay in the file
            ResilientClient.Builder again = ResilientClient.builder().endpoints("127.0.0.1:" + port)
                    .queueCapacity(n).queueMaxBytes(1L << 32).offlineQueue(file)
                    .reconnectPolicy(ReconnectPolicy.defaults().initialDelay(Duration.ofMillis(20))
                            .maxDelay(Duration.ofMillis(20)).jitter(0).pauseAfter(0, Duration.ofMinutes(2)))
                    .healthPolicy(HealthPolicy.defaults().checkInterval(Duration.ZERO));
            long r0 = System.nanoTime();
            client = again.build().start();
            System.out.printf("  recovered %d messages in %.0f ms%n", client.queueStats().queued(), (System.nanoTime() - r0) / 1e6);
            all = null;
        }
        AtomicLong connectedAt = new AtomicLong();
        ResilientClient c = client;
        client.addStateListener(ch -> {
            if (ch.current() == ClientState.CONNECTED) {
                connectedAt.compareAndSet(0, System.nanoTime());
            }
        });
        try (ChildJvm server = ChildJvm.start(dir, "drain-server", SERVER_JVM, ServerMain.class, Integer.toString(port))) {
            server.awaitLine(l -> l.startsWith("LISTENING"));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            long lastReport = System.nanoTime();
            while (all != null ? !all.isDone() : c.queueStats().queued() > 0) {
                Thread.sleep(1); // a harness may poll; tests may not
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(10)) {
                    lastReport = System.nanoTime();
                    System.out.printf("  slow: %s, %s, %s%n", c.state(), c.queueStats(), c.health());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("drain did not finish: " + c.queueStats());
                }
            }
            long done = System.nanoTime();
            System.out.printf("drain %-6s %-9s round %d: %d x %d B queued at %.0f msg/s, drained at %.0f msg/s%n",
                    kind, restart ? "restarted" : "same", round, n, size, queueRate,
                    n * 1e9 / (done - connectedAt.get()));
        } finally {
            client.close();
        }
    }

    private static void reconnect(Path dir, double[] outagesSeconds) throws Exception {
        int port = Servers.freePort();
        Path store = dir.resolve("resume-server.db");
        ReconnectPolicy policy = ReconnectPolicy.defaults().jitter(0);
        try (ChildJvm server = ChildJvm.start(dir, "resume-server", SERVER_JVM, ServerMain.class,
                Integer.toString(port), store.toString())) {
            server.awaitLine(l -> l.startsWith("LISTENING"));
            AtomicLong connectedAt = new AtomicLong();
            AtomicLong lostAt = new AtomicLong();
            try (ResilientClient client = ResilientClient.builder().endpoints("127.0.0.1:" + port)
                    .offlineQueue(new InMemoryOfflineQueue()).reconnectPolicy(policy).sessionExpiry(Duration.ofMinutes(10))
                    .healthPolicy(HealthPolicy.defaults().checkInterval(Duration.ZERO))
                    .stateListener(ch -> {
                        if (ch.current() == ClientState.CONNECTED) {
                            connectedAt.set(System.nanoTime());
                        } else if (ch.current() == ClientState.RECONNECTING) {
                            lostAt.set(System.nanoTime());
                        }
                    }).build().start();
                 McpClient pinger = McpClient.builder().address("127.0.0.1", port).connect()) {
                while (client.state() != ClientState.CONNECTED) {
                    Thread.sleep(1);
                }
                long[] rtts = new long[50];
                for (int i = 0; i < rtts.length; i++) {
                    rtts[i] = pinger.ping().get().toNanos();
                }
                Arrays.sort(rtts);
                double rttMs = rtts[rtts.length / 2] / 1e6;
                System.out.printf("round trip (PING, median of %d): %.3f ms%n", rtts.length, rttMs);
                String session = client.sessionId();
                for (double outage : outagesSeconds) {
                    long dialsBefore = client.dialAttempts();
                    server.send("STOP");
                    server.awaitLine("STOPPED"::equals);
                    Thread.sleep((long) (outage * 1000));
                    server.send("START");
                    server.awaitLine(l -> l.startsWith("LISTENING"));
                    long up = System.nanoTime();
                    while (client.state() != ClientState.CONNECTED || connectedAt.get() < up) {
                        Thread.sleep(1);
                    }
                    double tookMs = (connectedAt.get() - up) / 1e6;
                    // Dials after the loss: one at once, then one after each failure's delay.
                    int failures = (int) (client.dialAttempts() - dialsBefore) - 1;
                    double stepMs = failures < 1 ? 0 : policy.baseDelay(failures).toMillis();
                    double dueMs = 0;
                    for (int k = 1; k <= failures; k++) {
                        dueMs += policy.baseDelay(k).toNanos() / 1e6;
                    }
                    // the successful attempt was due dueMs after the loss (failed dials add a little)
                    double handshakeMs = (connectedAt.get() - lostAt.get()) / 1e6 - dueMs;
                    System.out.printf("outage %.1f s: reconnected and resumed (%s) %.1f ms after the server was back;"
                                    + " backoff step %.0f ms (after failure %d) + RTT %.3f ms = bound %.1f ms: %s;"
                                    + " connect + handshake + resume %.1f ms after the attempt was due%n",
                            outage, session.equals(client.sessionId()) ? "same session" : "NEW SESSION", tookMs,
                            stepMs, failures, rttMs, stepMs + rttMs, tookMs <= stepMs + rttMs ? "within" : "OVER",
                            handshakeMs);
                }
            }
        }
    }
}
