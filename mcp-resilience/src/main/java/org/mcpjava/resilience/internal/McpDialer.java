package org.mcpjava.resilience.internal;

import org.mcpjava.client.ClientResources;
import org.mcpjava.client.ClientSession;
import org.mcpjava.client.McpClient;
import org.mcpjava.core.Connection;
import org.mcpjava.core.EngineObserver;
import org.mcpjava.core.MessageListener;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.HealthPolicy;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Dials with {@link McpClient}: a fresh builder per attempt (the application's settings applied
 * first, then what the resilient layer owns: address, shared I/O resources, the session, the
 * message listener, the GOAWAY hook and an observer that feeds the link's health).
 */
public final class McpDialer implements Dialer {
    private final ClientResources resources;
    private final ClientSession session;
    private final UnaryOperator<McpClient.Builder> customizer;
    private final MessageListener listener;
    private final EngineObserver observer;
    private final HealthPolicy healthPolicy;
    private final int maxWaitingPublishes;

    /**
     * @param session  the session every connection resumes, or {@code null} for a new one each time
     * @param listener receives every pub/sub message, or {@code null}
     */
    public McpDialer(ClientResources resources, ClientSession session, UnaryOperator<McpClient.Builder> customizer,
                     MessageListener listener, EngineObserver observer, HealthPolicy healthPolicy,
                     int maxWaitingPublishes) {
        this.resources = resources;
        this.session = session;
        this.customizer = customizer;
        this.listener = listener;
        this.observer = observer;
        this.healthPolicy = healthPolicy;
        this.maxWaitingPublishes = maxWaitingPublishes;
    }

    @Override
    public CompletableFuture<Link> dial(Endpoint endpoint, LinkEvents events) {
        HealthMonitor health = new HealthMonitor(healthPolicy);
        AtomicReference<Link> created = new AtomicReference<>();
        AtomicReference<Runnable> goawayBeforeCreated = new AtomicReference<>();
        McpClient.Builder b = customizer.apply(McpClient.builder())
                .address(endpoint.host(), endpoint.port())
                .resources(resources)
                .maxWaitingPublishes(maxWaitingPublishes)
                .observer(new HealthObserver(health, observer))
                .onGoaway((code, message, lastStreamId) -> {
                    Link l = created.get();
                    if (l == null) {
                        goawayBeforeCreated.set(() -> events.goaway(created.get(), code, message));
                    } else {
                        events.goaway(l, code, message);
                    }
                });
        if (session != null) {
            b.session(session);
        }
        if (listener != null) {
            b.messageListener(listener);
        }
        CompletableFuture<McpClient> connecting;
        try {
            connecting = b.connectAsync();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return connecting.thenApply(client -> {
            Link link = new McpLink(endpoint, client, health);
            created.set(link);
            Runnable early = goawayBeforeCreated.get();
            if (early != null) {
                early.run();
            }
            return link;
        });
    }

    /** Feeds call latencies into the link's health, then passes every event on. */
    private static final class HealthObserver implements EngineObserver {
        private final HealthMonitor health;
        private final EngineObserver next;

        HealthObserver(HealthMonitor health, EngineObserver next) {
            this.health = health;
            this.next = next;
        }

        @Override
        public void callCompleted(Connection connection, int opcode, long nanos, int code) {
            if (code == ErrorCode.DEADLINE_EXCEEDED.code()) {
                health.failure();
            } else if (code != ErrorCode.UNAVAILABLE.code() && code != ErrorCode.CANCELLED.code()) {
                health.success(Duration.ofNanos(nanos)); // a RESPONSE, or an ERROR the server sent
            }
            next.callCompleted(connection, opcode, nanos, code);
        }

        @Override
        public void connectionEstablished(Connection connection) {
            next.connectionEstablished(connection);
        }

        @Override
        public void connectionClosed(Connection connection, int code) {
            next.connectionClosed(connection, code);
        }

        @Override
        public void handshakeFailed(SocketAddress remote, int code) {
            next.handshakeFailed(remote, code);
        }

        @Override
        public void frameRead(FrameType type, int bytes) {
            next.frameRead(type, bytes);
        }

        @Override
        public void frameWritten(FrameType type, int bytes) {
            next.frameWritten(type, bytes);
        }

        @Override
        public void requestHandled(Connection connection, int opcode, long nanos, int code) {
            next.requestHandled(connection, opcode, nanos, code);
        }
    }
}
