package org.mcpjava.resilience.internal;

import io.netty.util.ReferenceCountUtil;
import org.mcpjava.core.Payload;
import org.mcpjava.resilience.Endpoint;
import org.mcpjava.resilience.HealthPolicy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Link} whose every answer the test gives by hand: calls, publishes, subscribes and pings
 * return futures kept in lists. It closes when the test says ({@link #drop()}) or, if
 * {@code closesWhenAsked}, when closed from the client side. Payloads handed to it are released
 * when recorded (the test sees their bytes).
 */
public class FakeLink implements Link {
    /** A publish the client made. */
    public record Publish(String topic, int qos, byte[] payload, long expirySeconds, CompletableFuture<Void> done) {
    }

    /** A call the client made. */
    public record Call(int opcode, byte[] payload, Duration timeout, CompletableFuture<Payload> reply) {
    }

    /** A SUBSCRIBE the client sent. */
    public record Subscribe(Map<String, Integer> filters, CompletableFuture<int[]> done) {
    }

    final Endpoint endpoint;
    final boolean sessionPresent;
    final HealthMonitor health;
    final AtomicInteger inFlight = new AtomicInteger();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    public final List<Publish> publishes = new CopyOnWriteArrayList<>();
    public final List<Call> calls = new CopyOnWriteArrayList<>();
    public final List<Subscribe> subscribes = new CopyOnWriteArrayList<>();
    public final List<List<String>> unsubscribes = new CopyOnWriteArrayList<>();
    public final List<CompletableFuture<Duration>> pings = new CopyOnWriteArrayList<>();
    public final AtomicInteger closeRequests = new AtomicInteger();
    public volatile boolean closesWhenAsked = true;

    public FakeLink(Endpoint endpoint, boolean sessionPresent, HealthPolicy policy) {
        this.endpoint = endpoint;
        this.sessionPresent = sessionPresent;
        this.health = new HealthMonitor(policy);
    }

    /** The connection drops. */
    public void drop() {
        closed.complete(null);
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public boolean sessionPresent() {
        return sessionPresent;
    }

    @Override
    public CompletableFuture<Payload> call(int opcode, Payload payload, Duration timeout) {
        byte[] bytes = payload.toBytes();
        ReferenceCountUtil.release(payload);
        CompletableFuture<Payload> reply = new CompletableFuture<>();
        calls.add(new Call(opcode, bytes, timeout, reply));
        return reply;
    }

    @Override
    public CompletableFuture<Void> publish(String topic, int qos, boolean retain, Payload payload, long expirySeconds) {
        byte[] bytes = payload.toBytes();
        payload.release();
        CompletableFuture<Void> done = new CompletableFuture<>();
        publishes.add(new Publish(topic, qos, bytes, expirySeconds, done));
        return done;
    }

    @Override
    public CompletableFuture<int[]> subscribe(Map<String, Integer> filters) {
        CompletableFuture<int[]> done = new CompletableFuture<>();
        subscribes.add(new Subscribe(Map.copyOf(filters), done));
        return done;
    }

    @Override
    public CompletableFuture<Void> unsubscribe(List<String> filters) {
        unsubscribes.add(List.copyOf(filters));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Duration> ping() {
        CompletableFuture<Duration> f = new CompletableFuture<>();
        pings.add(f);
        return f;
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        closeRequests.incrementAndGet();
        if (closesWhenAsked) {
            closed.complete(null);
        }
        return closed;
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
        return "FakeLink[" + endpoint + "]";
    }
}
