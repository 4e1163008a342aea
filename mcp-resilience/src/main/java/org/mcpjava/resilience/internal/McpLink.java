package org.mcpjava.resilience.internal;

import org.mcpjava.client.McpClient;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.Endpoint;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link Link} over one {@link McpClient}. */
final class McpLink implements Link {
    private final Endpoint endpoint;
    private final McpClient client;
    private final HealthMonitor health;
    private final AtomicInteger inFlight = new AtomicInteger();

    McpLink(Endpoint endpoint, McpClient client, HealthMonitor health) {
        this.endpoint = endpoint;
        this.client = client;
        this.health = health;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public boolean sessionPresent() {
        return client.sessionPresent();
    }

    @Override
    public CompletableFuture<Payload> call(int opcode, Payload payload, Duration timeout) {
        return client.call(opcode, payload, timeout);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, int qos, boolean retain, Payload payload, long expirySeconds) {
        return client.publish(topic, qos, retain, payload, expirySeconds);
    }

    @Override
    public CompletableFuture<int[]> subscribe(Map<String, Integer> filters) {
        // No per-subscription listener: every message goes to the client's message listener, which
        // dispatches by the resilient client's own subscription table (it outlives connections).
        return client.subscribe(filters, null);
    }

    @Override
    public CompletableFuture<Void> unsubscribe(List<String> filters) {
        return client.unsubscribe(filters.toArray(new String[0]));
    }

    @Override
    public CompletableFuture<Duration> ping() {
        return client.ping();
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return client.closeFuture();
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        return client.closeAsync();
    }

    @Override
    public HealthMonitor health() {
        return health;
    }

    @Override
    public AtomicInteger inFlight() {
        return inFlight;
    }

    @Override
    public String toString() {
        return "link to " + endpoint + " (session " + client.sessionId() + ")";
    }
}
