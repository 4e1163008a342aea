package org.mcpjava.cli.net;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mcpjava.cli.CliTester;
import org.mcpjava.cli.ExitCodes;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mcp pub} and {@code mcp sub} against a real server with the broker's in-memory store.
 * {@code sub} blocks, so it runs on its own thread; the test publishes only once the broker shows
 * the subscription.
 */
class PubSubCommandTest {
    private final ExecutorService background = Executors.newCachedThreadPool();
    private TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        background.shutdownNow();
        assertTrue(background.awaitTermination(TestServer.WAIT.toSeconds(), TimeUnit.SECONDS), "a sub run did not end");
    }

    /** Starts {@code mcp sub args...} in the background and waits until the broker has {@code filter}. */
    private CompletableFuture<CliTester.Result> subscribe(String filter, String... args) {
        CompletableFuture<CliTester.Result> run = CompletableFuture.supplyAsync(() -> server.run("sub", args), background);
        await().atMost(TestServer.WAIT).until(() -> run.isDone() || server.server.broker().sessions().stream()
                .anyMatch(s -> s.subscriptions().containsKey(filter)));
        assertTrue(!run.isDone(), () -> "sub ended early: " + run.join().describe());
        return run;
    }

    private void publish(String... args) {
        CliTester.Result r = server.run("pub", args);
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
    }

    private static CliTester.Result finished(CompletableFuture<CliTester.Result> run) throws Exception {
        return run.get(TestServer.WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static List<String> sortedLines(String text) {
        return Arrays.stream(text.split("\n")).sorted().toList();
    }

    @Test
    void subReceivesQos0AndQos1MessagesAndExitsAfterCount() throws Exception {
        CompletableFuture<CliTester.Result> sub = subscribe("t/#", "t/#", "--count", "2");
        CliTester.Result p0 = server.run("pub", "t/a", "one", "--qos", "0");
        assertEquals(ExitCodes.OK, p0.exitCode(), p0::describe);
        assertEquals("published to t/a (qos 0)\n", p0.out(), p0::describe);
        CliTester.Result p1 = server.run("pub", "t/b/c", "two", "--qos", "1");
        assertEquals("published to t/b/c (qos 1)\n", p1.out(), p1::describe);

        CliTester.Result r = finished(sub);
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        assertEquals(List.of("t/a one", "t/b/c two"), sortedLines(r.out()), r::describe);
        assertEquals("", r.err(), r::describe);
    }

    @Test
    void verboseFormatShowsQosCodecAndSize() throws Exception {
        CompletableFuture<CliTester.Result> sub = subscribe("t/#", "t/#", "--count", "2", "--format", "verbose");
        publish("t/a", "one", "--qos", "0");
        publish("t/b", "{\"v\":2}", "--qos", "1", "--codec", "json");

        CliTester.Result r = finished(sub);
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        assertEquals(List.of("t/a qos=0 codec=raw 3 bytes: one", "t/b qos=1 codec=json 7 bytes: {\"v\":2}"),
                sortedLines(r.out()), r::describe);
    }

    @Test
    void payloadFormatAndANumberedSeries() throws Exception {
        CompletableFuture<CliTester.Result> sub = subscribe("s/+", "s/+", "--count", "3", "--format", "payload", "--qos", "1");
        CliTester.Result p = server.run("pub", "s/x", "m{n}", "--count", "3");
        assertEquals(ExitCodes.OK, p.exitCode(), p::describe);
        assertTrue(p.out().startsWith("published 3 messages to s/x (qos 1) in "), p::describe);

        CliTester.Result r = finished(sub);
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        assertEquals("m1\nm2\nm3\n", r.out(), "QoS 1 from one publisher arrives in order\n" + r.describe());
    }

    @Test
    void retainedMessageReachesALaterSubscriber() throws Exception {
        publish("r/1", "kept", "--retain");
        CliTester.Result r = server.run("sub", "r/#", "--count", "1", "--format", "verbose");
        assertEquals(ExitCodes.OK, r.exitCode(), r::describe);
        assertEquals("r/1 qos=1 retained codec=raw 4 bytes: kept\n", r.out(), r::describe);
    }

    @Test
    void invalidFilterIsRefusedWithTopicInvalid() {
        CliTester.Result r = server.run("sub", "t/#/x", "--count", "1");
        assertNotEquals(ExitCodes.OK, r.exitCode(), r::describe);
        assertEquals(ExitCodes.REMOTE_ERROR, r.exitCode(), r::describe);
        assertTrue(r.err().contains("TOPIC_INVALID"), r::describe);
        assertTrue(r.err().contains("t/#/x"), r::describe);
    }

    @Test
    void publishToAWildcardTopicIsRefused() {
        CliTester.Result r = server.run("pub", "t/+", "x", "--qos", "1");
        assertEquals(ExitCodes.REMOTE_ERROR, r.exitCode(), r::describe);
        assertTrue(r.err().contains("TOPIC_INVALID"), r::describe);
    }

    @Test
    void badQosIsAUsageError() {
        CliTester.Result r = server.run("pub", "t/a", "x", "--qos", "3");
        assertEquals(ExitCodes.USAGE, r.exitCode(), r::describe);
        assertTrue(r.err().contains("qos must be 0, 1 or 2"), r::describe);
    }

    @Test
    void subExitsThreeWhenTheServerGoesAway() throws Exception {
        CompletableFuture<CliTester.Result> sub = subscribe("gone/#", "gone/#");
        server.server.close();
        CliTester.Result r = finished(sub);
        assertEquals(ExitCodes.IO_ERROR, r.exitCode(), r::describe);
        assertTrue(r.err().contains("UNAVAILABLE"), r::describe);
    }

    @Test
    void pubToAServerWithoutPubSubFails() throws Exception {
        try (TestServer plain = new TestServer(b -> b.disablePubSub())) {
            CliTester.Result r = plain.run("pub", "t/a", "x", "--qos", "1");
            assertEquals(ExitCodes.REMOTE_ERROR, r.exitCode(), r::describe);
            assertTrue(r.err().startsWith("error: "), r::describe);
            CliTester.Result s = plain.run("sub", "t/#", "--count", "1");
            assertEquals(ExitCodes.REMOTE_ERROR, s.exitCode(), s::describe);
            assertTrue(s.err().startsWith("error: "), s::describe);
            // SUBACK 0x80 is a refusal, not necessarily a bad filter: t/# is a valid one.
            assertTrue(!s.err().contains("TOPIC_INVALID"), s::describe);
            assertTrue(s.err().contains("refused filter t/#"), s::describe);
            assertTrue(s.err().contains("publish/subscribe is not enabled"), s::describe);
        }
    }
}
