package org.mcpjava.observability;

import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;
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
     * {@link EngineObserver#NONE} are skipped). An observer that throws does not stop the others.
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
        if (list.size() == 1) {
            return list.get(0);
        }
        EngineObserver result = list.get(list.size() - 1);
        for (int i = list.size() - 2; i >= 0; i--) {
            result = new Pair(list.get(i), result);
        }
        return result;
    }

    /** Two observers; nested pairs keep each call site bimorphic at most. */
    private static final class Pair implements EngineObserver {
        private final EngineObserver first;
        private final EngineObserver second;

        Pair(EngineObserver first, EngineObserver second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void connectionEstablished(Connection connection) {
            try {
                first.connectionEstablished(connection);
            } finally {
                second.connectionEstablished(connection);
            }
        }

        @Override
        public void connectionClosed(Connection connection, int code) {
            try {
                first.connectionClosed(connection, code);
            } finally {
                second.connectionClosed(connection, code);
            }
        }

        @Override
        public void handshakeFailed(SocketAddress remote, int code) {
            try {
                first.handshakeFailed(remote, code);
            } finally {
                second.handshakeFailed(remote, code);
            }
        }

        @Override
        public void frameRead(FrameType type, int bytes) {
            first.frameRead(type, bytes);
            second.frameRead(type, bytes);
        }

        @Override
        public void frameWritten(FrameType type, int bytes) {
            first.frameWritten(type, bytes);
            second.frameWritten(type, bytes);
        }

        @Override
        public void requestHandled(Connection connection, int opcode, long nanos, int code) {
            first.requestHandled(connection, opcode, nanos, code);
            second.requestHandled(connection, opcode, nanos, code);
        }

        @Override
        public void callCompleted(Connection connection, int opcode, long nanos, int code) {
            first.callCompleted(connection, opcode, nanos, code);
            second.callCompleted(connection, opcode, nanos, code);
        }

        @Override
        public void publishReceived(Connection connection, String topic, int qos, String traceparent, String tracestate) {
            try {
                first.publishReceived(connection, topic, qos, traceparent, tracestate);
            } finally {
                second.publishReceived(connection, topic, qos, traceparent, tracestate);
            }
        }
    }
}
