package org.mcpjava.observability.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.wire.FrameType;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's events as Micrometer meters. Frame counts and bytes are {@link LongAdder}s in arrays
 * indexed by frame type, read by {@link FunctionCounter}s at scrape time; request and call latency
 * go to {@link OpcodeTimers}; counters by error code are created on first use and then found in
 * arrays. Per event: array lookups and adder increments, no map lookup and no allocation.
 *
 * <p>Thread-safe; called on event loops.
 */
final class MetricsObserver implements EngineObserver {
    private static final FrameType[] TYPES = FrameType.values();
    private static final String KIND_REQUEST = "request";
    private static final String KIND_CALL = "call";
    private static final String KIND_CONNECTION = "connection";
    private static final String KIND_HANDSHAKE = "handshake";

    private final MeterRegistry registry;
    private final LongAdder[] framesIn = adders();
    private final LongAdder[] bytesIn = adders();
    private final LongAdder[] framesOut = adders();
    private final LongAdder[] bytesOut = adders();
    private final AtomicLong open = new AtomicLong();
    private final Counter opened;
    private final Counter[] closed = new Counter[CodeSlots.COUNT];
    private final Counter[] handshakeFailures = new Counter[CodeSlots.COUNT];
    private final Counter[] requestErrors = new Counter[CodeSlots.COUNT];
    private final Counter[] callErrors = new Counter[CodeSlots.COUNT];
    private final Counter[] connectionErrors = new Counter[CodeSlots.COUNT];
    private final OpcodeTimers requests;
    private final OpcodeTimers calls;

    MetricsObserver(MeterRegistry registry, int maxOpcodes) {
        this.registry = registry;
        for (FrameType t : TYPES) {
            int i = t.ordinal();
            frameCounter(MetricNames.FRAMES_RECEIVED, "Frames decoded", t, framesIn[i], null);
            frameCounter(MetricNames.FRAMES_SENT, "Frames written", t, framesOut[i], null);
            frameCounter(MetricNames.FRAMES_RECEIVED_BYTES, "Bytes of the frames decoded", t, bytesIn[i], "bytes");
            frameCounter(MetricNames.FRAMES_SENT_BYTES, "Bytes of the frames written", t, bytesOut[i], "bytes");
        }
        Gauge.builder(MetricNames.CONNECTIONS_OPEN, open, AtomicLong::get)
                .description("Established connections").strongReference(true).register(registry);
        opened = Counter.builder(MetricNames.CONNECTIONS_OPENED)
                .description("Connections that completed the handshake").register(registry);
        requests = new OpcodeTimers(registry, MetricNames.REQUESTS,
                "Inbound requests answered, from receipt to the answer being written", maxOpcodes);
        calls = new OpcodeTimers(registry, MetricNames.CALLS,
                "Outbound calls, from send to completion", maxOpcodes);
        // The series operators look for first exist before the first event.
        counter(closed, 0, MetricNames.CONNECTIONS_CLOSED, "reason", null);
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[TYPES.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    private void frameCounter(String name, String description, FrameType type, LongAdder adder, String unit) {
        FunctionCounter.builder(name, adder, LongAdder::sum)
                .description(description)
                .baseUnit(unit)
                .tag("type", type.name())
                .register(registry);
    }

    @Override
    public void connectionEstablished(Connection connection) {
        open.incrementAndGet();
        opened.increment();
    }

    @Override
    public void connectionClosed(Connection connection, int code) {
        open.decrementAndGet();
        int slot = CodeSlots.slot(code);
        counter(closed, slot, MetricNames.CONNECTIONS_CLOSED, "reason", null).increment();
        if (code != 0) {
            counter(connectionErrors, slot, MetricNames.ERRORS, "code", KIND_CONNECTION).increment();
        }
    }

    @Override
    public void handshakeFailed(SocketAddress remote, int code) {
        int slot = CodeSlots.slot(code);
        counter(handshakeFailures, slot, MetricNames.HANDSHAKES_FAILED, "reason", null).increment();
        counter(connectionErrors, slot, MetricNames.ERRORS, "code", KIND_HANDSHAKE).increment();
    }

    @Override
    public void frameRead(FrameType type, int bytes) {
        int i = type.ordinal();
        framesIn[i].increment();
        bytesIn[i].add(bytes);
    }

    @Override
    public void frameWritten(FrameType type, int bytes) {
        int i = type.ordinal();
        framesOut[i].increment();
        bytesOut[i].add(bytes);
    }

    @Override
    public void requestHandled(Connection connection, int opcode, long nanos, int code) {
        requests.record(opcode, code, nanos);
        if (code != 0) {
            counter(requestErrors, CodeSlots.slot(code), MetricNames.ERRORS, "code", KIND_REQUEST).increment();
        }
    }

    @Override
    public void callCompleted(Connection connection, int opcode, long nanos, int code) {
        calls.record(opcode, code, nanos);
        if (code != 0) {
            counter(callErrors, CodeSlots.slot(code), MetricNames.ERRORS, "code", KIND_CALL).increment();
        }
    }

    /** The counter of {@code slot} in {@code cache}, registered on first use. */
    private Counter counter(Counter[] cache, int slot, String name, String codeTag, String kind) {
        Counter c = cache[slot];
        if (c == null) {
            Counter.Builder b = Counter.builder(name).description(describe(name)).tag(codeTag, CodeSlots.errorName(slot));
            if (kind != null) {
                b.tag("kind", kind);
            }
            c = b.register(registry); // the registry returns the existing counter if another thread won
            cache[slot] = c;
        }
        return c;
    }

    private static String describe(String name) {
        switch (name) {
            case MetricNames.CONNECTIONS_CLOSED:
                return "Established connections closed, by the error code they closed with";
            case MetricNames.HANDSHAKES_FAILED:
                return "Connections that failed before WELCOME, by error code";
            default:
                return "Errors by code: requests answered with ERROR, calls failed, connections closed with an error";
        }
    }
}
