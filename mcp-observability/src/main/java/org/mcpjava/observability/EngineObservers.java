package org.mcpjava.observability;

import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.core.TraceContext;
import org.mcpjava.wire.FrameType;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Combines engine observers, since a server or client takes one. */
public final class EngineObservers {
    private EngineObservers() {
    }

    /**
     * One observer that calls each of {@code observers} in order ({@code null} and
     * {@link EngineObserver#NONE} are skipped). Each event goes only to the observers that override
     * its method, so an observer interested in connections adds nothing to the per-frame events.
     * Observers must not throw (the engine's contract).
     */
    public static EngineObserver compose(EngineObserver... observers) {
        List<EngineObserver> list = new ArrayList<>();
        for (EngineObserver o : observers) {
            if (o != null && o != EngineObserver.NONE) {
                list.add(o);
            }
        }
        if (list.isEmpty()) {
            return EngineObserver.NONE;
        }
        return list.size() == 1 ? list.get(0) : new Composite(list);
    }

    /** The observers of each event, in order, as arrays for the per-frame paths. */
    private static final class Composite implements EngineObserver {
        private final EngineObserver[] established;
        private final EngineObserver[] closed;
        private final EngineObserver[] handshakeFailed;
        private final EngineObserver[] frameRead;
        private final EngineObserver[] frameWritten;
        private final EngineObserver[] requestHandled;
        private final EngineObserver[] callCompleted;
        private final EngineObserver[] publishReceived;

        Composite(List<EngineObserver> all) {
            established = overriding(all, "connectionEstablished", Connection.class);
            closed = overriding(all, "connectionClosed", Connection.class, int.class);
            handshakeFailed = overriding(all, "handshakeFailed", SocketAddress.class, int.class);
            frameRead = overriding(all, "frameRead", FrameType.class, int.class);
            frameWritten = overriding(all, "frameWritten", FrameType.class, int.class);
            requestHandled = overriding(all, "requestHandled", Connection.class, int.class, long.class, int.class);
            callCompleted = overriding(all, "callCompleted", Connection.class, int.class, long.class, int.class);
            // publishTraceContext's default reports to publishReceived: overriding either one counts.
            List<EngineObserver> publish = new ArrayList<>();
            for (EngineObserver o : all) {
                if (overrides(o, "publishReceived", Connection.class, String.class, int.class, String.class, String.class)
                        || overrides(o, "publishTraceContext", Connection.class, String.class, int.class,
                                TraceContext.class)) {
                    publish.add(o);
                }
            }
            publishReceived = publish.toArray(new EngineObserver[0]);
        }

        private static EngineObserver[] overriding(List<EngineObserver> all, String method, Class<?>... params) {
            List<EngineObserver> out = new ArrayList<>();
            for (EngineObserver o : all) {
                if (overrides(o, method, params)) {
                    out.add(o);
                }
            }
            return out.toArray(new EngineObserver[0]);
        }

        private static boolean overrides(EngineObserver o, String method, Class<?>... params) {
            try {
                return o.getClass().getMethod(method, params).getDeclaringClass() != EngineObserver.class;
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("EngineObserver." + method + " not found", e);
            }
        }

        @Override
        public void connectionEstablished(Connection connection) {
            for (EngineObserver o : established) {
                o.connectionEstablished(connection);
            }
        }

        @Override
        public void connectionClosed(Connection connection, int code) {
            for (EngineObserver o : closed) {
                o.connectionClosed(connection, code);
            }
        }

        @Override
        public void handshakeFailed(SocketAddress remote, int code) {
            for (EngineObserver o : handshakeFailed) {
                o.handshakeFailed(remote, code);
            }
        }

        @Override
        public void frameRead(FrameType type, int bytes) {
            for (EngineObserver o : frameRead) {
                o.frameRead(type, bytes);
            }
        }

        @Override
        public void frameWritten(FrameType type, int bytes) {
            for (EngineObserver o : frameWritten) {
                o.frameWritten(type, bytes);
            }
        }

        @Override
        public void requestHandled(Connection connection, int opcode, long nanos, int code) {
            for (EngineObserver o : requestHandled) {
                o.requestHandled(connection, opcode, nanos, code);
            }
        }

        @Override
        public void callCompleted(Connection connection, int opcode, long nanos, int code) {
            for (EngineObserver o : callCompleted) {
                o.callCompleted(connection, opcode, nanos, code);
            }
        }

        @Override
        public void publishReceived(Connection connection, String topic, int qos, String traceparent, String tracestate) {
            publishTraceContext(connection, topic, qos, TraceContext.of(traceparent, tracestate));
        }

        /** Each observer in turn, each given the trace context the one before returned. */
        @Override
        public TraceContext publishTraceContext(Connection connection, String topic, int qos, TraceContext received) {
            TraceContext trace = received;
            for (EngineObserver o : publishReceived) {
                trace = o.publishTraceContext(connection, topic, qos, trace);
            }
            return trace;
        }
    }
}
