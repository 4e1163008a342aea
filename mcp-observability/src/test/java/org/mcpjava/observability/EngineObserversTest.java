package org.mcpjava.observability;

import org.junit.jupiter.api.Test;
import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;
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
    void oneOrNoneNeedsNoComposite() {
        EngineObserver one = new EngineObserver() {
        };
        assertSame(one, EngineObservers.compose(null, one));
        assertSame(EngineObserver.NONE, EngineObservers.compose());
    }
}
