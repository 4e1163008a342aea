package org.mcpjava.broker;

import io.netty.buffer.ByteBufUtil;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.SessionStore;
import org.mcpjava.broker.store.StoredMessage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One client session on the server: its subscriptions, the messages on their way to the client
 * (queued, then in flight within the client's RECEIVE_WINDOW: its {@link Outbox}), the QoS 2
 * packet ids received from it ({@link InboundQos2Ids}), and the connection it is attached to, if
 * any. Outlives its connection for its expiry.
 *
 * <p><b>Threads.</b> Every mutable field, and the parts it delegates to, is guarded by this
 * object's monitor; frames for the session are written while holding it, so they go out in the
 * order the session decided them. Store mutations made here are ordered after the monitor (lock
 * order: session, then store).
 */
public final class Session {
    private final Broker broker;
    private final byte[] id;
    private final String idHex;
    private final String clientId;
    private final String owner;
    private final Outbox outbox;
    private final InboundQos2Ids inboundQos2;
    private final Map<String, Integer> subscriptions = new LinkedHashMap<>();

    private long expirySeconds;
    private long disconnectedAtMillis;
    private boolean ended;

    Session(Broker broker, byte[] id, String clientId, String owner, long expirySeconds) {
        this.broker = broker;
        this.id = id;
        this.idHex = ByteBufUtil.hexDump(id);
        this.clientId = clientId;
        this.owner = owner;
        this.expirySeconds = expirySeconds;
        this.outbox = new Outbox(this, broker, id);
        this.inboundQos2 = new InboundQos2Ids(broker.store(), id);
    }

    /** The 16-byte session id (a copy). */
    public byte[] id() {
        return id.clone();
    }

    byte[] rawId() {
        return id;
    }

    /** The session id as hex. */
    public String idHex() {
        return idHex;
    }

    /** The CLIENT_ID of the client that created the session. */
    public String clientId() {
        return clientId;
    }

    /** The principal that owns the session. */
    public String owner() {
        return owner;
    }

    /** SESSION_EXPIRY_S granted. */
    public synchronized long expirySeconds() {
        return expirySeconds;
    }

    /** Whether the session outlives its connection (and so is stored). */
    public synchronized boolean isDurable() {
        return expirySeconds > 0;
    }

    /** Whether a connection is attached. */
    public synchronized boolean isAttached() {
        return outbox.output() != null;
    }

    /** Messages queued (not yet sent) plus in flight. */
    public synchronized int backlog() {
        return outbox.backlog();
    }

    /** Messages sent and not yet acknowledged. */
    public synchronized int inflightCount() {
        return outbox.inflightCount();
    }

    /** The filters subscribed, with their max QoS. */
    public synchronized Map<String, Integer> subscriptions() {
        return new LinkedHashMap<>(subscriptions);
    }

    /** Lock-free estimate, for choosing a shared-subscription member. */
    boolean hasWindowRoom() {
        return outbox.hasWindowRoom();
    }

    /**
     * Whether the attached client accepts a PUBLISH of {@code frameSize} bytes (its MAX_FRAME), or
     * no client is attached. Lock-free: for choosing a shared-subscription member.
     */
    boolean accepts(long frameSize) {
        return outbox.accepts(frameSize);
    }

    /** Whether the queue reached its bound with messages other than QoS 0 (which would be dropped first). */
    synchronized boolean isQueueFull() {
        return outbox.isQueueFull();
    }

    private SessionStore store() {
        return broker.store();
    }

    // ------------------------------------------------------------ restore from the store

    synchronized void restore(Map<String, Integer> subs, List<OutboundEntry> outbound, Set<Long> qos2,
                              long nextPacket, long disconnectedAt) {
        subscriptions.putAll(subs);
        inboundQos2.restore(qos2);
        outbox.restore(outbound, nextPacket);
        disconnectedAtMillis = disconnectedAt;
    }

    // ------------------------------------------------------------ attach / detach

    /**
     * Binds the session to {@code out}; returns the previous output (to be taken over), if any.
     * Nothing is written to {@code out} before {@link #resume}: what is routed meanwhile waits in
     * the queue.
     */
    synchronized SessionOutput bind(SessionOutput out, long expiry) {
        SessionOutput previous = outbox.attach(out);
        disconnectedAtMillis = 0;
        boolean wasDurable = expirySeconds > 0;
        expirySeconds = expiry;
        if (expiry > 0) {
            store().saveSession(id, clientId, owner, expiry, outbox.nextPacketId());
            store().markDisconnected(id, 0);
        } else if (wasDurable) {
            store().deleteSession(id);
        }
        return previous;
    }

    /** After WELCOME: see {@link Outbox#resume}. */
    synchronized void resume(SessionOutput out) {
        outbox.resume(out);
    }

    /** The connection closed. Returns true if the session ends with it (not durable). */
    synchronized boolean unbind(SessionOutput out, long nowMillis) {
        if (!outbox.detach(out)) {
            return false; // taken over: the new connection owns the session
        }
        if (expirySeconds == 0) {
            return true;
        }
        disconnectedAtMillis = nowMillis;
        store().markDisconnected(id, nowMillis);
        outbox.dropQueuedQos0();
        return false;
    }

    /** Whether the session expired at {@code nowMillis} (offline for longer than its expiry). */
    synchronized boolean isExpired(long nowMillis) {
        return !ended && outbox.output() == null && expirySeconds > 0 && disconnectedAtMillis > 0
                && nowMillis - disconnectedAtMillis >= expirySeconds * 1000;
    }

    /** Marks the session ended and drops its state; returns the filters it had. */
    synchronized List<String> end() {
        ended = true;
        List<String> filters = new ArrayList<>(subscriptions.keySet());
        subscriptions.clear();
        outbox.clear();
        inboundQos2.clear();
        if (expirySeconds > 0) {
            store().deleteSession(id);
        }
        return filters;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    synchronized SessionOutput output() {
        return outbox.output();
    }

    // ------------------------------------------------------------ subscriptions

    synchronized void addSubscription(String filter, int qos) {
        subscriptions.put(filter, qos);
        if (expirySeconds > 0) {
            store().saveSubscription(id, filter, qos);
        }
    }

    synchronized boolean removeSubscription(String filter) {
        boolean had = subscriptions.remove(filter) != null;
        if (had && expirySeconds > 0) {
            store().deleteSubscription(id, filter);
        }
        return had;
    }

    // ------------------------------------------------------------ outbound

    /**
     * Queues {@code message} for the client (not sent yet: see {@link #pump()}). Returns the entry,
     * or {@code null} if the session dropped it (ended, queue full, larger than the attached
     * client's MAX_FRAME).
     *
     * @param frameSize its {@link DeliveryFrameSize}
     * @param committed whether it may be sent at once (nothing had to be made durable for it)
     */
    synchronized Pending enqueue(StoredMessage message, long frameSize, boolean committed) {
        if (ended) {
            return null;
        }
        return outbox.enqueue(message, frameSize, committed, expirySeconds > 0);
    }

    /** Withdraws a queued entry whose store commit failed (the publisher was refused and retries). */
    synchronized void discard(Pending p) {
        outbox.discard(p);
    }

    synchronized void markCommitted(Pending p) {
        p.committed = true;
    }

    /** Sends queued messages whose turn it is, as far as the client's window allows. */
    synchronized void pump() {
        outbox.pump();
    }

    /** PUBACK from the client. */
    synchronized void onPuback(long packetId) {
        outbox.onPuback(packetId);
    }

    /** PUBREC from the client: answer PUBREL. */
    synchronized void onPubrec(long packetId) {
        outbox.onPubrec(packetId);
    }

    /** PUBREL for {@code p} once its RELEASED state is durable (called on the store's thread). */
    synchronized void sendPubrel(Pending p) {
        outbox.sendPubrel(p);
    }

    /** PUBCOMP from the client. */
    synchronized void onPubcomp(long packetId) {
        outbox.onPubcomp(packetId);
    }

    /** NACK from the client: retry later for OVERLOADED, otherwise drop. */
    synchronized void onNack(long packetId, int code) {
        outbox.onNack(packetId, code);
    }

    /** Re-sends {@code p} after a NACK(OVERLOADED) backoff, if it is still waiting (the timer's thread). */
    synchronized void retry(Pending p) {
        outbox.retry(p);
    }

    // ------------------------------------------------------------ inbound QoS 2

    /** Records a QoS 2 packet id from the client; false if it was already known (a duplicate). */
    synchronized boolean addInboundQos2(long packetId) {
        return inboundQos2.add(packetId, expirySeconds > 0);
    }

    /** Whether a QoS 2 packet id from the client is recorded (a retransmission, answered without routing). */
    synchronized boolean knowsInboundQos2(long packetId) {
        return inboundQos2.contains(packetId);
    }

    /** PUBREL from the client: forgets the id. */
    synchronized void removeInboundQos2(long packetId) {
        inboundQos2.remove(packetId, expirySeconds > 0);
    }

    @Override
    public String toString() {
        return "Session[" + idHex.substring(0, 8) + " client=" + clientId + "]";
    }
}
