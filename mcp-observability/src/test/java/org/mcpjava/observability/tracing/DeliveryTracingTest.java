package org.mcpjava.observability.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Message;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.mcpjava.store.sqlite.SqliteSessionStore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trace of a publish continues at its subscribers, over loopback: a delivery's
 * {@link Message#trace()} names the publisher's PRODUCER span, or, when the server traces publishes,
 * the server's CONSUMER span for it (child of the PRODUCER span). A message that waited in the
 * SQLite store through a server restart keeps it.
 */
class DeliveryTracingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private InMemorySpanExporter exporter;
    private OpenTelemetrySdk otel;
    private McpTracing tracing;
    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    @BeforeEach
    void start() {
        exporter = InMemorySpanExporter.create();
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().setSampler(Sampler.parentBased(Sampler.alwaysOn()))
                        .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                .build();
        tracing = McpTracing.create(otel);
    }

    @AfterEach
    void stop() throws Exception {
        while (!open.isEmpty()) {
            open.pop().close();
        }
        otel.close();
    }

    private <T extends AutoCloseable> T track(T resource) {
        open.push(resource);
        return resource;
    }

    private McpServer server(McpServer.Builder b) {
        return track(b.host("127.0.0.1").port(0).build().start());
    }

    private McpClient client(McpServer server, String id, ClientSession session, List<Message> inbox,
                             boolean traced) {
        McpClient.Builder b = McpClient.builder().address("127.0.0.1", server.address().getPort()).clientId(id)
                .callTimeout(WAIT);
        if (session != null) {
            b.session(session);
        }
        if (inbox != null) {
            b.messageListener(inbox::add);
        }
        if (traced) {
            b.decorator(tracing.decorator());
        }
        return track(b.connect());
    }

    private static List<Message> awaitMessages(List<Message> inbox, int n) {
        await().atMost(WAIT).until(() -> inbox.size() >= n);
        return new ArrayList<>(inbox);
    }

    private List<SpanData> awaitSpans(Predicate<SpanData> which, int n) {
        await().atMost(WAIT).until(() -> exporter.getFinishedSpanItems().stream().filter(which).count() >= n);
        return exporter.getFinishedSpanItems().stream().filter(which).toList();
    }

    private static String traceparent(SpanData span) {
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-01";
    }

    /** Publishes {@code topic} at {@code qos} inside a root span of the test. */
    private void publishInSpan(McpClient pub, String topic, int qos) {
        Span root = otel.getTracer("test").spanBuilder("job " + topic).startSpan();
        try (Scope ignored = root.makeCurrent()) {
            McpClient.await(pub.publish(topic, qos, false, Payload.utf8("at " + qos)));
        } finally {
            root.end();
        }
    }

    private SpanData producerOf(String topic) {
        return awaitSpans(s -> s.getKind() == SpanKind.PRODUCER
                && topic.equals(s.getAttributes().get(SpanNames.DESTINATION)), 1).get(0);
    }

    private SpanData consumerOf(String topic) {
        return awaitSpans(s -> s.getKind() == SpanKind.CONSUMER
                && topic.equals(s.getAttributes().get(SpanNames.DESTINATION)), 1).get(0);
    }

    @Test
    void subscribersContinueFromTheServersReceiveSpan() {
        McpServer server = server(McpServer.builder().observer(tracing.publishObserver()));
        List<Message> inbox = new CopyOnWriteArrayList<>();
        McpClient sub = client(server, "sub", null, inbox, false);
        McpClient.await(sub.subscribe("traced/+", 2, inbox::add));
        McpClient pub = client(server, "pub", null, null, true);
        for (int qos = 0; qos <= 2; qos++) {
            publishInSpan(pub, "traced/q" + qos, qos);
        }
        List<Message> got = awaitMessages(inbox, 3);
        for (Message m : got) {
            SpanData producer = producerOf(m.topic());
            SpanData consumer = consumerOf(m.topic());
            assertEquals(producer.getSpanId(), consumer.getParentSpanId(), "the receipt is the publish's child");
            assertEquals(traceparent(consumer), m.trace().traceparent(), m.topic() + " continues from the receipt");
        }
    }

    @Test
    void withoutServerTracingSubscribersContinueFromThePublisher() {
        McpServer server = server(McpServer.builder());
        List<Message> inbox = new CopyOnWriteArrayList<>();
        McpClient sub = client(server, "sub", null, inbox, false);
        McpClient.await(sub.subscribe("plain/+", 2, inbox::add));
        McpClient pub = client(server, "pub", null, null, true);
        publishInSpan(pub, "plain/q1", 1);
        Message m = awaitMessages(inbox, 1).get(0);
        assertEquals(traceparent(producerOf("plain/q1")), m.trace().traceparent());
    }

    @Test
    void aMessageWaitingInTheSqliteStoreKeepsItsTraceContextThroughARestart() {
        Path file = dir.resolve("mcp.db");
        ClientSession session = ClientSession.create(600);
        McpServer first = server(McpServer.builder().observer(tracing.publishObserver())
                .broker(BrokerOptions.builder().store(SqliteSessionStore.open(file)).build()));
        McpClient away = client(first, "sub", session, null, false);
        Map<String, Integer> filters = new LinkedHashMap<>();
        filters.put("stored/q1", 1);
        filters.put("stored/q2", 2);
        assertArrayEquals(new int[] {1, 2}, McpClient.await(away.subscribe(filters, m -> { })));
        away.close();
        McpClient pub = client(first, "pub", null, null, true);
        publishInSpan(pub, "stored/q1", 1);
        publishInSpan(pub, "stored/q2", 2);
        pub.close();
        first.close();

        McpServer second = server(McpServer.builder()
                .broker(BrokerOptions.builder().store(SqliteSessionStore.open(file)).build()));
        List<Message> inbox = new CopyOnWriteArrayList<>();
        McpClient back = client(second, "sub", session, inbox, false);
        assertTrue(back.sessionPresent(), "the session survived the restart");
        List<Message> got = awaitMessages(inbox, 2);
        for (Message m : got) {
            assertEquals(traceparent(consumerOf(m.topic())), m.trace().traceparent(), m::toString);
        }
        assertEquals(List.of("stored/q1", "stored/q2"), got.stream().map(Message::topic).toList());
    }
}
