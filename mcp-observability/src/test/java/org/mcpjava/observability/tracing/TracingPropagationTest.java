package org.mcpjava.observability.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
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
import org.mcpjava.broker.BrokerOptions;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Handlers;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.core.Request;
import org.mcpjava.server.McpServer;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.MetadataKey;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spans on both sides of real loopback connections, exported to memory: the client's span is the
 * parent of the server's, in the same trace, carried by TRACEPARENT on the wire.
 */
class TracingPropagationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private InMemorySpanExporter exporter;
    private OpenTelemetrySdk otel;
    private McpServer server;
    private McpClient client;
    private final List<String> traceparentsSeen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        exporter = InMemorySpanExporter.create();
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setSampler(Sampler.parentBased(Sampler.alwaysOn())) // the SDK default
                        .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                .build();
        McpTracing tracing = McpTracing.create(otel);
        server = McpServer.builder().host("127.0.0.1").port(0)
                .intercept(tracing.interceptor())
                .observer(tracing.publishObserver())
                .broker(BrokerOptions.builder().build())
                .handle(0x0001, Handlers.sync(this::recordTraceparent))
                .handle(0x0002, Handlers.sync(r -> {
                    throw new McpException(ErrorCode.PERMISSION_DENIED, "no");
                }))
                .build().start();
        client = McpClient.builder().address("127.0.0.1", server.address().getPort())
                .decorator(tracing.decorator()).callTimeout(WAIT).connect();
    }

    private Payload recordTraceparent(Request r) {
        traceparentsSeen.add(String.valueOf(r.metadata(MetadataKey.TRACEPARENT.wire())));
        // The server span is current while the handler runs: its own spans and logs join the trace.
        traceparentsSeen.add(Span.current().getSpanContext().getTraceId());
        return Payload.utf8("ok");
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        otel.close();
    }

    private SpanData awaitSpan(Predicate<SpanData> p) {
        await().atMost(WAIT).until(() -> exporter.getFinishedSpanItems().stream().anyMatch(p));
        return exporter.getFinishedSpanItems().stream().filter(p).findFirst().orElseThrow();
    }

    @Test
    void clientSpanIsTheParentOfTheServerSpan() {
        Tracer tracer = otel.getTracer("test");
        Span root = tracer.spanBuilder("checkout").startSpan();
        try (Scope ignored = root.makeCurrent()) {
            McpClient.await(client.call(0x0001, Payload.utf8("hi"))).release();
        } finally {
            root.end();
        }
        SpanData clientSpan = awaitSpan(s -> s.getKind() == SpanKind.CLIENT);
        SpanData serverSpan = awaitSpan(s -> s.getKind() == SpanKind.SERVER);

        assertEquals(root.getSpanContext().getTraceId(), clientSpan.getTraceId());
        assertEquals(root.getSpanContext().getSpanId(), clientSpan.getParentSpanId(), "the caller's span is the parent");
        assertEquals(clientSpan.getTraceId(), serverSpan.getTraceId(), "one trace across the wire");
        assertEquals(clientSpan.getSpanId(), serverSpan.getParentSpanId(), "the client span is the server span's parent");
        assertTrue(serverSpan.getParentSpanContext().isRemote());
        assertEquals("mcp/0x0001", clientSpan.getName());
        assertEquals("mcp/0x0001", serverSpan.getName());
        assertEquals("mcp", serverSpan.getAttributes().get(SpanNames.RPC_SYSTEM));
        assertEquals(client.sessionId(), serverSpan.getAttributes().get(SpanNames.SESSION_ID));
        assertEquals(StatusCode.UNSET, clientSpan.getStatus().getStatusCode());
        // The request carried a W3C traceparent naming the client span, and the handler ran inside the server span.
        assertEquals("00-" + clientSpan.getTraceId() + "-" + clientSpan.getSpanId() + "-01", traceparentsSeen.get(0));
        assertEquals(clientSpan.getTraceId(), traceparentsSeen.get(1));
        // The client span covers the whole call, so it ends after the server span started.
        assertTrue(clientSpan.getEndEpochNanos() >= serverSpan.getStartEpochNanos());
    }

    @Test
    void aRequestWithoutACallerSpanStartsTheTrace() {
        McpClient.await(client.call(0xFF01, Payload.utf8("echo"))).release();
        SpanData clientSpan = awaitSpan(s -> s.getKind() == SpanKind.CLIENT);
        SpanData serverSpan = awaitSpan(s -> s.getKind() == SpanKind.SERVER);
        assertFalse(clientSpan.getParentSpanContext().isValid(), "the client span is the root");
        assertEquals("mcp/ECHO", serverSpan.getName());
        assertEquals(clientSpan.getTraceId(), serverSpan.getTraceId());
        assertEquals(clientSpan.getSpanId(), serverSpan.getParentSpanId());
    }

    @Test
    void failuresMarkBothSpans() {
        McpException e = assertThrows(McpException.class, () -> McpClient.await(client.call(0x0002, Payload.utf8("x"))));
        assertEquals(ErrorCode.PERMISSION_DENIED.code(), e.code());
        SpanData clientSpan = awaitSpan(s -> s.getKind() == SpanKind.CLIENT);
        SpanData serverSpan = awaitSpan(s -> s.getKind() == SpanKind.SERVER);
        assertEquals(StatusCode.ERROR, clientSpan.getStatus().getStatusCode());
        assertEquals(StatusCode.ERROR, serverSpan.getStatus().getStatusCode());
        assertEquals("PERMISSION_DENIED", serverSpan.getAttributes().get(SpanNames.ERROR_NAME));
        assertEquals((long) ErrorCode.PERMISSION_DENIED.code(), clientSpan.getAttributes().get(SpanNames.ERROR_CODE));
    }

    @Test
    void aPublishIsLinkedToItsReceiptOnTheServer() {
        Span root = otel.getTracer("test").spanBuilder("sensor-loop").startSpan();
        try (Scope ignored = root.makeCurrent()) {
            McpClient.await(client.publish("sensors/t1", 1, false, Payload.utf8("21.5")));
        } finally {
            root.end();
        }
        SpanData producer = awaitSpan(s -> s.getKind() == SpanKind.PRODUCER);
        SpanData consumer = awaitSpan(s -> s.getKind() == SpanKind.CONSUMER);
        assertEquals(root.getSpanContext().getSpanId(), producer.getParentSpanId());
        assertEquals(producer.getTraceId(), consumer.getTraceId());
        assertEquals(producer.getSpanId(), consumer.getParentSpanId());
        assertEquals("sensors/t1", producer.getAttributes().get(SpanNames.DESTINATION));
        assertEquals("sensors/t1", consumer.getAttributes().get(SpanNames.DESTINATION));
        assertEquals(1L, consumer.getAttributes().get(SpanNames.QOS));
    }

    @Test
    void anUnsampledCallerKeepsTheServerUnsampled() {
        SdkTracerProvider never = SdkTracerProvider.builder().setSampler(Sampler.parentBased(Sampler.alwaysOff()))
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        McpTracing unsampled = McpTracing.create(OpenTelemetrySdk.builder().setTracerProvider(never).build());
        try (McpClient quiet = McpClient.builder().address("127.0.0.1", server.address().getPort())
                .decorator(unsampled.decorator()).callTimeout(WAIT).connect()) {
            McpClient.await(quiet.call(0x0001, Payload.utf8("hi"))).release();
        }
        // The caller decided not to sample: the traceparent says so, and the server (parent-based) follows.
        assertTrue(traceparentsSeen.get(0).endsWith("-00"), traceparentsSeen.get(0));
        assertNotEquals("null", traceparentsSeen.get(0));
        assertTrue(exporter.getFinishedSpanItems().stream().noneMatch(s -> s.getKind() == SpanKind.SERVER),
                exporter.getFinishedSpanItems().toString());
        never.close();
    }

    @Test
    void untracedWorkIsSampledBeforeAnySpanExists() {
        McpTracing none = McpTracing.create(otel, 0.0);
        try (McpServer quietServer = McpServer.builder().host("127.0.0.1").port(0).disablePubSub()
                .intercept(none.interceptor())
                .handle(0x0001, Handlers.sync(this::recordTraceparent))
                .build().start();
             McpClient quiet = McpClient.builder().address("127.0.0.1", quietServer.address().getPort())
                     .decorator(none.decorator()).callTimeout(WAIT).connect()) {
            // No caller span and a ratio of 0: no span on either side, nothing on the wire.
            McpClient.await(quiet.call(0x0001, Payload.utf8("a"))).release();
            assertEquals("null", traceparentsSeen.get(0));
            assertTrue(exporter.getFinishedSpanItems().isEmpty(), exporter.getFinishedSpanItems().toString());

            // Inside a caller's span the trace always continues, whatever the ratio.
            Span root = otel.getTracer("test").spanBuilder("job").startSpan();
            try (Scope ignored = root.makeCurrent()) {
                McpClient.await(quiet.call(0x0001, Payload.utf8("b"))).release();
            } finally {
                root.end();
            }
            SpanData serverSpan = awaitSpan(s -> s.getKind() == SpanKind.SERVER);
            assertEquals(root.getSpanContext().getTraceId(), serverSpan.getTraceId());
        }
        assertEquals(0.0, none.rootSampleRatio());
        assertThrows(IllegalArgumentException.class, () -> McpTracing.create(otel, 1.5));
    }
}
