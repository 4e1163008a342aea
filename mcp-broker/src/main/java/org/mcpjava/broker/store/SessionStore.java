package org.mcpjava.broker.store;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Durable state of the broker. Only sessions with a non-zero expiry (and retained messages) are
 * stored; a session that ends with its connection never touches the store.
 *
 * <p><b>Ordering and durability.</b> Mutations are applied in the order they are called (per
 * store, across threads as the calls are ordered by the caller's synchronization) and may be
 * batched: they are durable only once a later {@link #barrier()} future has completed. The broker
 * acknowledges a QoS 1/2 message to its publisher (PUBACK / PUBREC) only after the barrier that
 * follows storing it, so nothing acknowledged is lost; a crash may lose mutations whose barrier
 * had not completed, which the protocol's retransmission covers.
 *
 * <p><b>Threads.</b> Implementations are thread-safe. Mutations must not block for I/O (queue them);
 * {@link #load()} may block (it runs once, at start).
 */
public interface SessionStore extends AutoCloseable {
    /** Every stored session, for the server's start. */
    List<SessionRecord> load();

    /** Every retained message, topic -> message. */
    Map<String, StoredMessage> loadRetained();

    /** Creates or updates a session's header (client id, owner, expiry, next packet id). */
    void saveSession(byte[] sessionId, String clientId, String owner, long expirySeconds, long nextPacketId);

    /** Records when the session's connection closed (0 = attached again). */
    void markDisconnected(byte[] sessionId, long disconnectedAtMillis);

    /** Removes a session and everything it owns. */
    void deleteSession(byte[] sessionId);

    /** Adds or replaces a subscription. */
    void saveSubscription(byte[] sessionId, String filter, int maxQos);

    /** Removes a subscription. */
    void deleteSubscription(byte[] sessionId, String filter);

    /** Appends a message to a session's outbound queue. */
    void addOutbound(byte[] sessionId, OutboundEntry entry);

    /** Updates an outbound entry's packet id and state (same sequence). */
    void updateOutbound(byte[] sessionId, long sequence, long packetId, OutboundState state);

    /** Removes an outbound entry (acknowledged, expired or dropped). */
    void removeOutbound(byte[] sessionId, long sequence);

    /** Records a QoS 2 packet id received from the client (PUBREC sent, PUBREL awaited). */
    void addInboundQos2(byte[] sessionId, long packetId);

    /** Forgets a QoS 2 packet id (PUBREL received). */
    void removeInboundQos2(byte[] sessionId, long packetId);

    /** Sets ({@code message != null}) or clears a topic's retained message. */
    void putRetained(String topic, StoredMessage message);

    /**
     * Applies the mutations {@code body} makes on this store atomically: after a crash either all
     * of them are there or none. The broker uses it so that a QoS 2 message's deliveries and its
     * packet-id record can never be split by a crash (which would duplicate or lose it).
     * Implementations must not interleave another thread's mutations into the group.
     */
    void group(Runnable body);

    /**
     * Completes once every mutation called before it is durable. Cheap to call often: concurrent
     * barriers share one commit.
     */
    CompletableFuture<Void> barrier();

    /** Flushes what is pending and releases the store. */
    @Override
    void close();
}
