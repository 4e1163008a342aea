package org.mcpjava.resilience.internal;

import org.mcpjava.core.Payload;
import org.mcpjava.resilience.Endpoint;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One established connection as the resilient layer sees it: what it sends through, how it learns
 * that the connection ended. {@link McpLink} is the real one (an McpClient); tests supply fakes.
 * Methods are thread-safe; futures may complete on any thread.
 */
public interface Link {
    /** Where it is connected. */
    Endpoint endpoint();

    /** Whether the server resumed the session (SESSION_PRESENT). */
    boolean sessionPresent();

    /** Sends a REQUEST; {@code payload}'s ownership passes. See {@link org.mcpjava.core.Connection#call}. */
    CompletableFuture<Payload> call(int opcode, Payload payload, Duration timeout);

    /** Publishes; ownership of {@code payload} passes. Completes on PUBACK / PUBCOMP (written for QoS 0). */
    CompletableFuture<Void> publish(String topic, int qos, boolean retain, Payload payload, long expirySeconds);

    /** SUBSCRIBE; completes with SUBACK's codes. Messages go to the link's message listener. */
    CompletableFuture<int[]> subscribe(Map<String, Integer> filters);

    /** UNSUBSCRIBE; completes on UNSUBACK. */
    CompletableFuture<Void> unsubscribe(List<String> filters);

    /** PING; completes with the round-trip time. */
    CompletableFuture<Duration> ping();

    /** Completes (normally) once the connection has closed. */
    CompletableFuture<Void> closeFuture();

    /** Graceful close; completes once closed. Never blocks. */
    CompletableFuture<Void> closeAsync();

    /** Health of this connection: fed by its calls and pings. */
    HealthMonitor health();

    /** Calls in flight on it that the resilient layer dispatched (for selection and the per-connection bound). */
    AtomicInteger inFlight();
}
