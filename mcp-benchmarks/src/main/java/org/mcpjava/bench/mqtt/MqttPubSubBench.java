package org.mcpjava.bench.mqtt;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import javax.net.SocketFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load model of {@code mcp bench --mode pubsub}, over MQTT 3.1.1 with the Eclipse Paho
 * {@link MqttAsyncClient}, so that an MQTT broker (Mosquitto) can be measured under exactly the same
 * load as {@code mcp server}.
 *
 * <p>P publishers each keep N messages in flight to one topic that S subscribers subscribe to, at
 * one QoS for both publishes and subscriptions. A publish is complete when Paho completes its
 * token: QoS 0 once written to the socket, QoS 1 on PUBACK, QoS 2 on PUBCOMP; every completion at
 * once publishes the next message (a closed loop, as in {@code PubSubBench}). Each payload starts
 * with the publisher's {@link System#nanoTime()} (8 bytes, big-endian) followed by random filler up
 * to {@code --size}; a subscriber records publish-to-delivery latency from it (all clients run in
 * this one JVM). After the warm-up, deliveries and latencies are counted for the measured window;
 * throughput is deliveries per second at the subscribers.
 *
 * <p>Client settings: in-memory persistence (as the MCP client keeps its unacknowledged publishes in
 * memory), clean sessions, MQTT 3.1.1, {@code maxInflight} = 2 x N + 16 (Paho refuses, rather than
 * queues, a publish beyond it; the loop itself never has more than N outstanding, the slack covers
 * Paho completing a token before it decrements its in-flight count), and TCP_NODELAY on every
 * socket (the MCP client and server set it; Paho does not by default).
 *
 * <p>Output: the same lines, or with {@code --json} the same JSON field names, as
 * {@code mcp bench --mode pubsub}, plus {@code "client":"paho-mqttv3"}. As there, {@code clientCores}
 * is this JVM's CPU in the measured window, and with {@code --server-pid} {@code serverCores} that
 * of the broker process (from /proc), to tell a client-bound run from a server-bound one.
 *
 * <pre>
 * java -cp mcp-benchmarks/target/benchmarks.jar org.mcpjava.bench.mqtt.MqttPubSubBench \
 *      -H 127.0.0.1 -p 1883 --publishers 16 --subscribers 1 -n 16 --qos 1 -s 64 -w 5s -d 10s --json
 * </pre>
 */
public final class MqttPubSubBench {
    private final Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    private final LongAdder delivered = new LongAdder();
    private final LongAdder published = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicLong outstanding = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean measuring;
    private volatile String firstError;

    private String host = "localhost";
    private int port = 1883;
    private int publishers = 1;
    private int subscribers = 1;
    private int inFlight = 1;
    private int qos = 1;
    private int size = 64;
    private long warmupMillis = 5_000;
    private long durationMillis = 10_000;
    private boolean json;
    private long serverPid;
    /** CPU cores busy in the measured window: this process, and the --server-pid process (NaN: not asked). */
    private double clientCores = Double.NaN;
    private double serverCores = Double.NaN;
    private byte[] filler;
    private String topic;

    public static void main(String[] args) throws Exception {
        MqttPubSubBench b = new MqttPubSubBench();
        int code;
        try {
            b.parse(args);
            code = b.run(System.out, System.err);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            code = 2;
        }
        System.out.flush();
        // Paho's threads are not all daemons; do not wait for them.
        System.exit(code);
    }

    private static final String USAGE = "usage: MqttPubSubBench [-H host] [-p port] [--publishers P] [--subscribers S] "
            + "[-n in-flight] [--qos 0|1|2] [-s size] [-w warm-up e.g. 5s] [-d duration e.g. 10s] [--server-pid PID] [--json]";

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                json = true;
                continue;
            }
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + a);
            }
            String v = args[++i];
            switch (a) {
                case "-H", "--host" -> host = v;
                case "-p", "--port" -> port = Integer.parseInt(v);
                case "--publishers" -> publishers = Integer.parseInt(v);
                case "--subscribers" -> subscribers = Integer.parseInt(v);
                case "-n", "--in-flight" -> inFlight = Integer.parseInt(v);
                case "--qos" -> qos = Integer.parseInt(v);
                case "-s", "--size" -> size = Integer.parseInt(v);
                case "-w", "--warmup" -> warmupMillis = millis(v);
                case "-d", "--duration" -> durationMillis = millis(v);
                case "--server-pid" -> serverPid = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (publishers < 1 || subscribers < 0 || inFlight < 1 || qos < 0 || qos > 2 || size < 0) {
            throw new IllegalArgumentException("needs publishers >= 1, subscribers >= 0, in-flight >= 1, qos 0-2, size >= 0");
        }
    }

    /** "10s", "500ms", "1m" or a number of seconds. */
    static long millis(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ms")) {
            return Long.parseLong(s.substring(0, s.length() - 2));
        }
        if (s.endsWith("s")) {
            return Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000);
        }
        if (s.endsWith("m")) {
            return Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 60_000);
        }
        return Math.round(Double.parseDouble(s) * 1000);
    }

    int run(PrintStream out, PrintStream err) throws Exception {
        int payloadSize = Math.max(8, size);
        filler = new byte[payloadSize - 8];
        ThreadLocalRandom.current().nextBytes(filler);
        topic = "bench/" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "/data";
        String uri = "tcp://" + host + ":" + port;
        String run = Long.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL);
        List<MqttAsyncClient> subs = new ArrayList<>();
        List<MqttAsyncClient> pubs = new ArrayList<>();
        try {
            try {
                for (int i = 0; i < subscribers; i++) {
                    MqttAsyncClient s = new MqttAsyncClient(uri, "sub-" + run + "-" + i, new MemoryPersistence());
                    subs.add(s);
                    s.setCallback(new Callback("subscriber", true));
                }
                for (int i = 0; i < publishers; i++) {
                    MqttAsyncClient p = new MqttAsyncClient(uri, "pub-" + run + "-" + i, new MemoryPersistence());
                    pubs.add(p);
                    p.setCallback(new Callback("publisher", false));
                }
                // Connected (and subscribed) all at once: Paho takes a while per handshake.
                List<IMqttToken> pending = new ArrayList<>();
                for (MqttAsyncClient c : subs) {
                    pending.add(c.connect(options()));
                }
                for (MqttAsyncClient c : pubs) {
                    pending.add(c.connect(options()));
                }
                awaitAll(pending);
                pending.clear();
                for (MqttAsyncClient c : subs) {
                    pending.add(c.subscribe(topic, qos));
                }
                awaitAll(pending);
                for (IMqttToken t : pending) {
                    int granted = t.getGrantedQos()[0];
                    if (granted != qos) {
                        err.println("error: subscription granted QoS " + granted + ", asked for " + qos);
                        return 4;
                    }
                }
            } catch (MqttException e) {
                err.println("error: cannot connect to " + uri + ": " + e);
                return 4;
            }
            if (!json) {
                out.printf(Locale.ROOT, "mqtt bench pubsub (paho): %s:%d, %d publisher(s) x %d in flight -> %d subscriber(s), "
                                + "QoS %d, %d B payload, warm-up %s, %s%n", host, port, publishers, inFlight, subscribers, qos,
                        payloadSize, human(warmupMillis), human(durationMillis));
                out.flush();
            }
            for (MqttAsyncClient p : pubs) {
                for (int i = 0; i < inFlight; i++) {
                    outstanding.incrementAndGet();
                    fire(p);
                }
            }
            TimeUnit.MILLISECONDS.sleep(warmupMillis);
            recorder.getIntervalHistogram();
            delivered.reset();
            published.reset();
            errors.reset();
            double clientCpu0 = cpuOfSelf();
            double serverCpu0 = serverPid > 0 ? cpuOf(serverPid) : Double.NaN;
            measuring = true;
            long start = System.nanoTime();
            TimeUnit.MILLISECONDS.sleep(durationMillis);
            measuring = false;
            long elapsed = System.nanoTime() - start;
            clientCores = (cpuOfSelf() - clientCpu0) / (elapsed / 1e9);
            serverCores = serverPid > 0 ? (cpuOf(serverPid) - serverCpu0) / (elapsed / 1e9) : Double.NaN;
            running = false;
            Histogram h = recorder.getIntervalHistogram();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (outstanding.get() > 0 && System.nanoTime() < until) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
            report(out, elapsed, h, payloadSize);
            return errors.sum() > 0 ? 3 : 0;
        } finally {
            closeQuietly(pubs);
            closeQuietly(subs);
        }
    }

    private static void awaitAll(List<IMqttToken> tokens) throws MqttException {
        for (IMqttToken t : tokens) {
            t.waitForCompletion(10_000);
        }
    }

    /** Records deliveries (subscribers) and counts a lost connection as an error. */
    private final class Callback implements MqttCallback {
        private final String who;
        private final boolean subscriber;

        Callback(String who, boolean subscriber) {
            this.who = who;
            this.subscriber = subscriber;
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost(who, cause);
        }

        @Override
        public void messageArrived(String t, MqttMessage m) {
            if (subscriber) {
                onMessage(m);
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // publishes complete through their IMqttActionListener
        }
    }

    private MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout(10);
        o.setMaxInflight(2 * inFlight + 16);
        o.setSocketFactory(new NoDelaySocketFactory());
        return o;
    }

    private void lost(String who, Throwable cause) {
        if (running) {
            errors.increment();
            if (firstError == null) {
                firstError = who + " connection lost: " + cause;
            }
        }
    }

    /**
     * Disconnects all of {@code clients} at once (DISCONNECT, no quiesce), waiting at most 2 s in all:
     * one by one, Paho's disconnect takes about a second per client.
     */
    private static void closeQuietly(List<MqttAsyncClient> clients) {
        List<IMqttToken> tokens = new ArrayList<>();
        for (MqttAsyncClient c : clients) {
            try {
                if (c.isConnected()) {
                    tokens.add(c.disconnect(0));
                }
            } catch (MqttException ignored) {
                // best effort at exit
            }
        }
        long deadline = System.currentTimeMillis() + 2000;
        for (IMqttToken t : tokens) {
            try {
                t.waitForCompletion(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (MqttException ignored) {
                // best effort at exit
            }
        }
        for (MqttAsyncClient c : clients) {
            try {
                c.close(true);
            } catch (MqttException ignored) {
                // best effort at exit
            }
        }
    }

    private void fire(MqttAsyncClient publisher) {
        byte[] body = new byte[8 + filler.length];
        ByteBuffer.wrap(body).putLong(System.nanoTime()).put(filler);
        MqttMessage m = new MqttMessage(body);
        m.setQos(qos);
        m.setRetained(false);
        try {
            publisher.publish(topic, m, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    if (measuring) {
                        published.increment();
                    }
                    next(publisher);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    failed(publisher, e);
                }
            });
        } catch (MqttException | RuntimeException e) {
            failed(publisher, e);
        }
    }

    private void failed(MqttAsyncClient publisher, Throwable e) {
        errors.increment();
        if (firstError == null) {
            firstError = String.valueOf(e);
        }
        if (!publisher.isConnected()) {
            outstanding.decrementAndGet();
            return;
        }
        next(publisher);
    }

    private void next(MqttAsyncClient publisher) {
        if (running) {
            fire(publisher);
        } else {
            outstanding.decrementAndGet();
        }
    }

    private void onMessage(MqttMessage m) {
        if (measuring) {
            long sent = ByteBuffer.wrap(m.getPayload(), 0, 8).getLong();
            recorder.recordValue(Math.max(0, Math.min(System.nanoTime() - sent, TimeUnit.SECONDS.toNanos(60))));
            delivered.increment();
        }
    }

    private void report(PrintStream out, long elapsedNanos, Histogram h, int payloadSize) {
        double secs = elapsedNanos / 1e9;
        double rate = delivered.sum() / secs;
        if (json) {
            out.printf(Locale.ROOT, "{\"mode\":\"pubsub\",\"client\":\"paho-mqttv3\",\"host\":\"%s\",\"port\":%d,"
                            + "\"publishers\":%d,\"subscribers\":%d,\"inFlight\":%d,\"qos\":%d,"
                            + "\"size\":%d,\"durationS\":%.3f,\"published\":%d,\"delivered\":%d,\"errors\":%d,\"deliveredPerS\":%.1f,"
                            + "\"publishedPerS\":%.1f,\"p50Us\":%.1f,\"p90Us\":%.1f,\"p99Us\":%.1f,\"p999Us\":%.1f,\"maxUs\":%.1f%s%s}%n",
                    host, port, publishers, subscribers, inFlight, qos, payloadSize, secs, published.sum(), delivered.sum(),
                    errors.sum(), rate, published.sum() / secs, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
                    h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3,
                    (Double.isNaN(clientCores) ? "" : String.format(Locale.ROOT, ",\"clientCores\":%.2f", clientCores))
                            + (Double.isNaN(serverCores) ? "" : String.format(Locale.ROOT, ",\"serverCores\":%.2f", serverCores)),
                    firstError == null ? "" : ",\"firstError\":\"" + firstError.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
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

    /** This JVM's CPU seconds (user + system), or NaN. */
    private static double cpuOfSelf() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        return Double.NaN;
    }

    /** CPU seconds (user + system) of process {@code pid} from /proc/PID/stat (USER_HZ = 100), or NaN. */
    private static double cpuOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String human(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** Paho leaves Nagle's algorithm on; the MCP client and server turn it off. Same for both here. */
    static final class NoDelaySocketFactory extends SocketFactory {
        @Override
        public Socket createSocket() throws IOException {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket s = new Socket(host, port);
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            Socket s = new Socket(host, port, localHost, localPort);
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            Socket s = new Socket(host, port);
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            Socket s = new Socket(address, port, localAddress, localPort);
            s.setTcpNoDelay(true);
            return s;
        }
    }
}
