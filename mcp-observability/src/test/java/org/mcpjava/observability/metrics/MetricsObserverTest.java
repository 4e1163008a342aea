package org.mcpjava.observability.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The observer's bookkeeping, event by event, in a simple registry. */
class MetricsObserverTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void framesAndBytesByTypeAndDirection() {
        EngineObserver o = McpMetrics.create(registry).observer();
        o.frameRead(FrameType.REQUEST, 30);
        o.frameRead(FrameType.REQUEST, 40);
        o.frameWritten(FrameType.RESPONSE, 25);
        assertEquals(2, fc(MetricNames.FRAMES_RECEIVED, "REQUEST"));
        assertEquals(70, fc(MetricNames.FRAMES_RECEIVED_BYTES, "REQUEST"));
        assertEquals(1, fc(MetricNames.FRAMES_SENT, "RESPONSE"));
        assertEquals(25, fc(MetricNames.FRAMES_SENT_BYTES, "RESPONSE"));
        assertEquals(0, fc(MetricNames.FRAMES_SENT, "REQUEST"));
    }

    private double fc(String name, String type) {
        FunctionCounter c = registry.find(name).tag("type", type).functionCounter();
        assertNotNull(c, name + " " + type);
        return c.count();
    }

    @Test
    void latencyByOpcodeAndCodeWithErrorsCounted() {
        EngineObserver o = McpMetrics.create(registry).observer();
        o.requestHandled(null, 0x0001, 1_000_000, 0);
        o.requestHandled(null, 0x0001, 3_000_000, 0);
        o.requestHandled(null, 0x0001, 500_000, ErrorCode.OVERLOADED.code());
        o.requestHandled(null, 0x0002, 500_000, 0x8001);
        o.callCompleted(null, 0xFF01, 2_000_000, ErrorCode.DEADLINE_EXCEEDED.code());

        Timer ok = registry.find(MetricNames.REQUESTS).tags("opcode", "0x0001", "code", "OK").timer();
        assertEquals(2, ok.count());
        assertEquals(4.0, ok.totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(1, registry.find(MetricNames.REQUESTS).tags("opcode", "0x0001", "code", "OVERLOADED").timer().count());
        assertEquals(1, registry.find(MetricNames.REQUESTS).tags("opcode", "0x0002", "code", "APPLICATION").timer().count(),
                "application codes share one series");
        assertEquals(1, registry.find(MetricNames.CALLS).tags("opcode", "0xFF01", "code", "DEADLINE_EXCEEDED").timer().count());

        assertEquals(1, counter(MetricNames.ERRORS, "code", "OVERLOADED", "kind", "request"));
        assertEquals(1, counter(MetricNames.ERRORS, "code", "APPLICATION", "kind", "request"));
        assertEquals(1, counter(MetricNames.ERRORS, "code", "DEADLINE_EXCEEDED", "kind", "call"));
    }

    @Test
    void opcodesPastTheLimitShareOneSeries() {
        EngineObserver o = McpMetrics.create(registry, 2).observer();
        for (int op = 1; op <= 5; op++) {
            o.requestHandled(null, op, 1000, 0);
            o.requestHandled(null, op, 1000, 0);
        }
        assertNotNull(registry.find(MetricNames.REQUESTS).tag("opcode", "0x0001").timer());
        assertNotNull(registry.find(MetricNames.REQUESTS).tag("opcode", "0x0002").timer());
        assertNull(registry.find(MetricNames.REQUESTS).tag("opcode", "0x0003").timer());
        assertEquals(6, registry.find(MetricNames.REQUESTS).tag("opcode", "other").timer().count());
        assertThrows(IllegalArgumentException.class, () -> McpMetrics.create(registry, 0));
    }

    @Test
    void connectionsOpenedClosedAndFailed() {
        EngineObserver o = McpMetrics.create(registry).observer();
        o.connectionEstablished(null);
        o.connectionEstablished(null);
        o.connectionClosed(null, 0);
        o.connectionClosed(null, ErrorCode.KEEPALIVE_TIMEOUT.code());
        o.connectionEstablished(null);
        o.handshakeFailed(null, ErrorCode.UNAUTHENTICATED.code());
        assertEquals(1, registry.find(MetricNames.CONNECTIONS_OPEN).gauge().value());
        assertEquals(3, registry.find(MetricNames.CONNECTIONS_OPENED).counter().count());
        assertEquals(1, counter(MetricNames.CONNECTIONS_CLOSED, "reason", "NO_ERROR"));
        assertEquals(1, counter(MetricNames.CONNECTIONS_CLOSED, "reason", "KEEPALIVE_TIMEOUT"));
        assertEquals(1, counter(MetricNames.HANDSHAKES_FAILED, "reason", "UNAUTHENTICATED"));
        assertEquals(1, counter(MetricNames.ERRORS, "code", "KEEPALIVE_TIMEOUT", "kind", "connection"));
        assertEquals(1, counter(MetricNames.ERRORS, "code", "UNAUTHENTICATED", "kind", "handshake"));
    }

    @Test
    void storeCommitLatency() {
        McpMetrics m = McpMetrics.create(registry);
        m.storeCommitListener().accept(2_000_000);
        m.storeCommitListener().accept(4_000_000);
        Timer t = registry.find(MetricNames.STORE_COMMIT).timer();
        assertEquals(2, t.count());
        assertEquals(3.0, t.mean(TimeUnit.MILLISECONDS), 1e-9);
    }

    private double counter(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        assertNotNull(c, name + " " + String.join(",", tags));
        return c.count();
    }
}
