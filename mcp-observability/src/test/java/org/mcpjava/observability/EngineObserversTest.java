package org.mcpjava.observability;

import org.junit.jupiter.api.Test;
import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.core.TraceContext;
import org.mcpjava.wire.FrameType;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class EngineObserversTest {
    @Test
    void eventsReachTheObserversThatWantThemInOrder() {
        List<String> seen = new ArrayList<>();
        EngineObserver frames = new EngineObserver() {
            @Override
            public void frameRead(FrameType type, int bytes) {
                seen.add("frames:" + type);
            }
        };
        EngineObserver connections = new EngineObserver() {
            @Override
            public void connectionEstablished(Connection connection) {
                seen.add("connections:up");
            }

            @Override
            public void frameRead(FrameType type, int bytes) {
                seen.add("connections:" + type);
            }
        };
        EngineObserver both = EngineObservers.compose(frames, null, EngineObserver.NONE, connections);
        both.frameRead(FrameType.PING, 30);
        both.connectionEstablished(null);
        both.requestHandled(null, 1, 1, 0);
        assertEquals(List.of("frames:PING", "connections:PING", "connections:up"), seen);
    }

    @Test
    void publishTraceContextPassesThroughEachPublishObserverInOrder() {
        List<String> seen = new ArrayList<>();
        TraceContext publisher = new TraceContext("00-aa-01-01", "p=1");
        TraceContext server = new TraceContext("00-aa-02-01", null);
        EngineObserver counting = new EngineObserver() {
            @Override
            public void publishReceived(Connection c, String topic, int qos, String traceparent, String tracestate) {
                seen.add("counting:" + topic + ":" + traceparent);
            }
        };
        EngineObserver tracing = new EngineObserver() {
            @Override
            public TraceContext publishTraceContext(Connection c, String topic, int qos, TraceContext received) {
                seen.add("tracing:" + received.traceparent());
                return server;
            }
        };
        EngineObserver after = new EngineObserver() {
            @Override
            public void publishReceived(Connection c, String topic, int qos, String traceparent, String tracestate) {
                seen.add("after:" + traceparent);
            }
        };
        EngineObserver frames = new EngineObserver() {
            @Override
            public void frameRead(FrameType type, int bytes) {
            }
        };
        EngineObserver all = EngineObservers.compose(counting, frames, tracing, after);
        assertSame(server, all.publishTraceContext(null, "t", 1, publisher));
        assertEquals(List.of("counting:t:00-aa-01-01", "tracing:00-aa-01-01", "after:00-aa-02-01"), seen);

        seen.clear();
        all.publishReceived(null, "u", 0, "00-aa-01-01", null); // the old event still reaches all of them
        assertEquals(List.of("counting:u:00-aa-01-01", "tracing:00-aa-01-01", "after:00-aa-02-01"), seen);
        assertSame(publisher, EngineObserver.NONE.publishTraceContext(null, "t", 1, publisher),
                "by default the publisher's trace context is delivered");
    }

    @Test
    void oneOrNoneNeedsNoComposite() {
        EngineObserver one = new EngineObserver() {
        };
        assertSame(one, EngineObservers.compose(null, one));
        assertSame(EngineObserver.NONE, EngineObservers.compose());
    }
}
