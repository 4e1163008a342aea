package org.mcpjava.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.MessageListener;
import org.mcpjava.core.Payload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durability promise of MCP/1 pub/sub (spec 8, "Retransmission and resume") against the real
 * server: {@code bin/mcp server --store sqlite} is killed with SIGKILL in the middle of a stream of
 * QoS 1 and QoS 2 messages and restarted on the same data directory. In-process clients resume
 * their sessions on the new process; every QoS 1 message must arrive at least once, every QoS 2
 * message exactly once, in publish order, and what waited for an offline subscriber before the kill
 * must survive it.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "bin/mcp is a bash script")
class BrokerRestartE2ETest {
    /** Guard for waits that depend on the stream (paranoid leak detection on both sides is slow). */
    private static final Duration STREAM_WAIT = Duration.ofSeconds(60);
    private static final long EXPIRY = 600;
    /** Publishes the publisher keeps unacknowledged at most. */
    private static final int OUTSTANDING = 50;

    private static Path launcher;

    @TempDir
    Path scratch;

    /** Every server process and client, closed after the test whatever it did. */
    private final Loopback open = new Loopback();

    @BeforeAll
    static void locateLauncher() {
        Path root = RepoRoot.find();
        launcher = root.resolve("bin").resolve("mcp");
        Path jar = root.resolve("mcp-cli").resolve("target").resolve("mcp.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: these tests run in `./mvnw verify`, after the"
                + " reactor packages mcp-cli (or build it first: ./mvnw install -pl mcp-cli)");
    }

    /** Kills every server process and closes every client, whatever the test did. */
    @AfterEach
    void closeAll() throws Exception {
        open.close();
    }

    private ServerProcess server(String name, Path dataDir) throws Exception {
        Map<String, String> env = Map.of(
                "JAVA_HOME", System.getProperty("java.home"),
                "MCP_JAVA_OPTS", "-Dio.netty.leakDetection.level="
                        + System.getProperty("io.netty.leakDetection.level", "paranoid"));
        // --no-admin: the admin port is fixed (19780), another server on the machine would fail the start
        return open.track(ServerProcess.start(launcher, scratch, name, env,
                "--store", "sqlite", "--data-dir", dataDir.toString(), "--no-admin"));
    }

    private McpClient client(ServerProcess server, String id, ClientSession session, MessageListener listener) {
        McpClient.Builder b = McpClient.builder().address("127.0.0.1", server.port()).clientId(id)
                .session(session).callTimeout(Duration.ofSeconds(10));
        if (listener != null) {
            b.messageListener(listener);
        }
        return open.track(b.connect());
    }

    @Test
    void sigkillMidStreamLosesNothingAndDeliversNoQos2Twice() throws Exception {
        Path data = scratch.resolve("data");
        NumberedStream stream = new NumberedStream("crash", 1000); // 500 QoS 1, 500 QoS 2
        int killAt = stream.total() / 2;
        Map<String, Integer> filters = new LinkedHashMap<>();
        filters.put("crash/q1", 2);
        filters.put("crash/q2", 2);

        ServerProcess first = server("first", data);
        // A durable subscriber that is away for the whole first run: all it gets waits in the store.
        ClientSession offlineSession = ClientSession.create(EXPIRY);
        Inbox offline = new Inbox();
        McpClient away = client(first, "offline", offlineSession, offline);
        assertArrayEquals(new int[] {2, 2}, McpClient.await(away.subscribe(filters, offline)));
        away.close();

        // A durable subscriber connected during the stream; the kill comes from its listener once it
        // has about half, so it lands while messages are flowing.
        ClientSession liveSession = ClientSession.create(EXPIRY);
        Inbox live = new Inbox();
        CompletableFuture<Void> killed = new CompletableFuture<>();
        MessageListener liveListener = m -> {
            live.onMessage(m);
            if (live.size() >= killAt && !killed.isDone()) {
                first.sigkill();
                killed.complete(null);
            }
        };
        McpClient sub = client(first, "live", liveSession, liveListener);
        assertArrayEquals(new int[] {2, 2}, McpClient.await(sub.subscribe(filters, liveListener)));

        // The publisher keeps at most OUTSTANDING publishes unacknowledged, so the stream is still
        // going when the kill comes, with QoS 1/2 publishes in flight.
        ClientSession pubSession = ClientSession.create(EXPIRY);
        McpClient pub = client(first, "pub", pubSession, null);
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        while (sent.size() < stream.total() && !killed.isDone()) {
            if (sent.size() >= OUTSTANDING) {
                CompletableFuture.anyOf(sent.get(sent.size() - OUTSTANDING), killed)
                        .get(STREAM_WAIT.toSeconds(), TimeUnit.SECONDS);
                if (killed.isDone()) {
                    break;
                }
            }
            int seq = sent.size();
            sent.add(pub.publish(stream.topic(seq), NumberedStream.qos(seq), false, Payload.utf8(Integer.toString(seq))));
        }
        killed.get(STREAM_WAIT.toSeconds(), TimeUnit.SECONDS);
        first.kill();
        sub.closeFuture().get(30, TimeUnit.SECONDS);
        pub.closeFuture().get(30, TimeUnit.SECONDS);
        int liveAtKill = live.size();
        long doneAtKill = sent.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
        assertTrue(sent.size() < stream.total(), "killed mid-stream");
        // Publishes accepted before the connection died wait in the durable session for the next
        // one; only those made after it died fail (not connected), and they are the last ones.
        int resumeFrom = sent.size();
        for (int seq = 0; seq < sent.size(); seq++) {
            if (sent.get(seq).isCompletedExceptionally()) {
                resumeFrom = Math.min(resumeFrom, seq);
            } else {
                assertTrue(seq < resumeFrom, "publish " + seq + " pending after a failed one");
            }
        }
        List<CompletableFuture<Void>> accepted = new ArrayList<>(sent.subList(0, resumeFrom));

        // Same data directory, new process (new port): every client resumes its session.
        ServerProcess second = server("second", data);
        McpClient sub2 = client(second, "live", liveSession, liveListener);
        assertTrue(sub2.sessionPresent(), "the live subscriber's session survived the kill");
        McpClient pub2 = client(second, "pub", pubSession, null);
        assertTrue(pub2.sessionPresent(), "the publisher's session survived the kill");
        for (int seq = resumeFrom; seq < stream.total(); seq++) {
            accepted.add(pub2.publish(stream.topic(seq), NumberedStream.qos(seq), false, Payload.utf8(Integer.toString(seq))));
        }
        CompletableFuture.allOf(accepted.toArray(new CompletableFuture<?>[0])).get(STREAM_WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, pubSession.unacknowledgedCount());

        McpClient back = client(second, "offline", offlineSession, offline);
        assertTrue(back.sessionPresent(), "the offline subscriber's session survived the kill");
        await().atMost(STREAM_WAIT).until(() -> stream.distinct(live.messages()) == stream.total()
                && stream.distinct(offline.messages()) == stream.total());
        int liveRedeliveries = stream.assertComplete(live.messages());
        int offlineRedeliveries = stream.assertComplete(offline.messages());

        second.stop();
        assertFalse(first.errors().contains("LEAK:"), first.describe());
        assertFalse(second.errors().contains("LEAK:"), second.describe());
        System.out.printf("killed with %d of %d delivered live, %d publishes made and %d acknowledged;"
                        + " QoS 1 re-deliveries: live %d, offline %d%n", liveAtKill, stream.total(), resumeFrom,
                doneAtKill, liveRedeliveries, offlineRedeliveries);
    }
}
