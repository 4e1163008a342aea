package org.mcpjava.broker;

import io.netty.buffer.ByteBufUtil;
import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.SessionStore;
import org.mcpjava.broker.store.StoredMessage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One client session on the server: its subscriptions, the messages on their way to the client
 * (queued, then in flight within the client's RECEIVE_WINDOW), the QoS 2 packet ids received from
 * it, and the connection it is attached to, if any. Outlives its connection for its expiry.
 *
 * <p><b>Threads.</b> Every mutable field is guarded by this object's monitor; frames for the
 * session are written while holding it, so they go out in the order the session decided them.
 * Store mutations made here are ordered after the monitor (lock order: session, then store).
 */
public final class Session {
    private final Broker broker;
    private final byte[] id;
    private final String idHex;
    private final String clientId;
    private final String owner;
    private final InboundQos2Ids inboundQos2;

    private long expirySeconds;
    private SessionOutput output;
    /**
     * Whether {@link #output} was {@link #resume resumed}. Until then nothing is written to it: a
     * message routed between HELLO and WELCOME (on a publisher's thread, the store's commit thread)
     * would otherwise go out before the re-sends of older unacknowledged messages, out of order.
     */
    private boolean resumed;
    private long disconnectedAtMillis;
    private boolean ended;
    private long nextPacketId = 1;
    private long nextSequence = 1;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final LinkedHashMap<Long, Pending> inflight = new LinkedHashMap<>();
    private final Map<String, Integer> subscriptions = new LinkedHashMap<>();
    private int queuedQos0;
    /** Read without the lock by shared-subscription selection: an estimate is enough there. */
    private volatile boolean windowRoom = true;
    /**
     * The attached client's MAX_FRAME; unbounded while detached, since the next connection announces
     * its own. Written under the lock, read without it by shared-subscription selection.
     */
    private volatile int clientMaxFrame = Integer.MAX_VALUE;

    Session(Broker broker, byte[] id, String clientId, String owner, long expirySeconds) {
        this.broker = broker;
        this.id = id;
        this.idHex = ByteBufUtil.hexDump(id);
        this.clientId = clientId;
        this.owner = owner;
        this.expirySeconds = expirySeconds;
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
        return output != null;
    }

    /** Messages queued (not yet sent) plus in flight. */
    public synchronized int backlog() {
        return queue.size() + inflight.size();
    }

    /** Messages sent and not yet acknowledged. */
    public synchronized int inflightCount() {
        return inflight.size();
    }

    /** The filters subscribed, with their max QoS. */
    public synchronized Map<String, Integer> subscriptions() {
        return new LinkedHashMap<>(subscriptions);
    }

    boolean hasWindowRoom() {
        return windowRoom;
    }

    /**
     * Whether the attached client accepts a PUBLISH of {@code frameSize} bytes (its MAX_FRAME), or
     * no client is attached. Lock-free: for choosing a shared-subscription member.
     */
    boolean accepts(long frameSize) {
        return frameSize <= clientMaxFrame;
    }

    /** Whether the queue reached its bound with messages other than QoS 0 (which would be dropped first). */
    synchronized boolean isQueueFull() {
        return queue.size() - queuedQos0 >= broker.options().maxQueuedPerSession();
    }

    private SessionStore store() {
        return broker.store();
    }

    // ------------------------------------------------------------ restore from the store

    synchronized void restore(Map<String, Integer> subs, List<OutboundEntry> outbound, Set<Long> qos2,
                              long nextPacket, long disconnectedAt) {
        subscriptions.putAll(subs);
        inboundQos2.restore(qos2);
        long maxPacket = 0;
        for (OutboundEntry e : outbound) {
            Pending p = new Pending(this, e.sequence(), e.message(), DeliveryFrameSize.of(e.message()), true);
            p.committed = true;
            p.packetId = e.packetId();
            p.state = e.state();
            if (e.state() == OutboundState.QUEUED) {
                queue.add(p);
            } else {
                inflight.put(p.packetId, p);
                maxPacket = Math.max(maxPacket, p.packetId);
            }
            nextSequence = Math.max(nextSequence, e.sequence() + 1);
        }
        nextPacketId = Math.max(Math.max(1, nextPacket), maxPacket + 1);
        if (nextPacketId > 0xFFFF_FFFFL) {
            nextPacketId = 1;
        }
        disconnectedAtMillis = disconnectedAt;
    }

    // ------------------------------------------------------------ attach / detach

    /**
     * Binds the session to {@code out}; returns the previous output (to be taken over), if any.
     * Nothing is written to {@code out} before {@link #resume}: what is routed meanwhile waits in
     * the queue.
     */
    synchronized SessionOutput bind(SessionOutput out, long expiry) {
        SessionOutput previous = output;
        output = out;
        clientMaxFrame = out.maxFrame();
        resumed = false;
        disconnectedAtMillis = 0;
        boolean wasDurable = expirySeconds > 0;
        expirySeconds = expiry;
        if (expiry > 0) {
            store().saveSession(id, clientId, owner, expiry, nextPacketId);
            store().markDisconnected(id, 0);
        } else if (wasDurable) {
            store().deleteSession(id);
        }
        return previous;
    }

    /**
     * After WELCOME: re-sends every unacknowledged PUBLISH (DUP) and PUBREL (DUP) in their original
     * order, then sends what is queued; from here on {@code out} gets the session's frames. A
     * PUBLISH sent on an earlier connection that this client's MAX_FRAME no longer admits is
     * {@link #skipInflight skipped}.
     */
    synchronized void resume(SessionOutput out) {
        if (output != out || resumed) {
            return;
        }
        resumed = true;
        for (Iterator<Pending> it = inflight.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.state == OutboundState.RELEASED) {
                out.pubrel(p.packetId, true);
            } else if (p.frameSize > clientMaxFrame) {
                if (skipInflight(p, out)) {
                    it.remove();
                }
            } else {
                out.publish(p.packetId, p.message, true);
                broker.stats().retransmitted.increment();
            }
        }
        pump();
    }

    /**
     * Gives up re-sending {@code p}, too large for the client now, as if its delivery had completed;
     * returns whether it leaves the in-flight map. QoS 1 is dropped. QoS 2 moves on to PUBREL: the
     * client may have received it on the earlier connection and keep its packet id until PUBREL;
     * one that did not answers PUBCOMP all the same. Like {@link #onPubrec}, PUBREL waits until
     * RELEASED is durable.
     */
    private boolean skipInflight(Pending p, SessionOutput out) {
        broker.tooLarge(this, p.message, p.frameSize, clientMaxFrame);
        if (p.message.qos() != 2) {
            dropped(p);
            return true;
        }
        p.state = OutboundState.RELEASED;
        if (p.persisted) {
            store().updateOutbound(id, p.sequence, p.packetId, OutboundState.RELEASED);
            store().barrier().thenRun(() -> sendPubrel(p));
        } else {
            out.pubrel(p.packetId, false);
        }
        return false;
    }

    /** The connection closed. Returns true if the session ends with it (not durable). */
    synchronized boolean unbind(SessionOutput out, long nowMillis) {
        if (output != out) {
            return false; // taken over: the new connection owns the session
        }
        output = null;
        clientMaxFrame = Integer.MAX_VALUE;
        resumed = false;
        if (expirySeconds == 0) {
            return true;
        }
        disconnectedAtMillis = nowMillis;
        store().markDisconnected(id, nowMillis);
        // QoS 0 is not kept for an offline session.
        for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.message.qos() == 0) {
                it.remove();
                queuedQos0--;
                broker.stats().droppedQos0.increment();
            }
        }
        return false;
    }

    /** Whether the session expired at {@code nowMillis} (offline for longer than its expiry). */
    synchronized boolean isExpired(long nowMillis) {
        return !ended && output == null && expirySeconds > 0 && disconnectedAtMillis > 0
                && nowMillis - disconnectedAtMillis >= expirySeconds * 1000;
    }

    /** Marks the session ended and drops its state; returns the filters it had. */
    synchronized List<String> end() {
        ended = true;
        List<String> filters = new ArrayList<>(subscriptions.keySet());
        subscriptions.clear();
        queue.clear();
        inflight.clear();
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
        return output;
    }

    /** The output the session's own frames (PUBLISH, PUBREL) may be written to now, or {@code null}. */
    private SessionOutput live() {
        return resumed ? output : null;
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
        if (frameSize > clientMaxFrame) {
            broker.tooLarge(this, message, frameSize, clientMaxFrame); // before it takes a slot or a store row
            return null;
        }
        // At the bound, a queued QoS 0 message gives way first, whatever the new message's QoS. The
        // broker refuses QoS 1/2 publishes (NACK OVERLOADED) before the queue is full of them, so the
        // slack above the bound only absorbs publishes racing that check: memory stays bounded.
        int max = broker.options().maxQueuedPerSession();
        if (queue.size() >= max && !dropOneQos0() && (message.qos() == 0 || queue.size() >= 2 * max)) {
            if (message.qos() == 0) {
                broker.stats().droppedQos0.increment();
            } else {
                broker.stats().droppedQueueFull.increment();
                broker.warnQueueFull(this);
            }
            return null;
        }
        if (message.qos() == 0 && output == null) {
            broker.stats().droppedQos0.increment(); // QoS 0 is at most once: not kept for offline sessions
            return null;
        }
        boolean persist = message.qos() > 0 && expirySeconds > 0;
        Pending p = new Pending(this, nextSequence++, message, frameSize, persist);
        p.committed = committed || !persist;
        if (persist) {
            store().addOutbound(id, new OutboundEntry(p.sequence, 0, OutboundState.QUEUED, message));
        }
        queue.add(p);
        if (message.qos() == 0) {
            queuedQos0++;
        }
        return p;
    }

    private boolean dropOneQos0() {
        if (queuedQos0 == 0) {
            return false;
        }
        for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
            if (it.next().message.qos() == 0) {
                it.remove();
                queuedQos0--;
                broker.stats().droppedQos0.increment();
                return true;
            }
        }
        return false;
    }

    /** Withdraws a queued entry whose store commit failed (the publisher was refused and retries). */
    synchronized void discard(Pending p) {
        if (queue.remove(p)) {
            if (p.message.qos() == 0) {
                queuedQos0--;
            }
            dropped(p);
        }
    }

    synchronized void markCommitted(Pending p) {
        p.committed = true;
    }

    /** Sends queued messages whose turn it is, as far as the client's window allows. */
    synchronized void pump() {
        SessionOutput out = live();
        if (out == null) {
            return;
        }
        int window = out.receiveWindow();
        long now = broker.options().wallClock().getAsLong();
        boolean wrote = false;
        while (!queue.isEmpty()) {
            Pending p = queue.peek();
            if (!p.committed) {
                break; // keeps the order: later messages wait for this one
            }
            if (p.message.isExpired(now)) {
                queue.poll();
                dropped(p);
                broker.stats().expired.increment();
                continue;
            }
            if (p.frameSize > clientMaxFrame) {
                // Queued while detached (or restored from the store), and this client accepts less.
                queue.poll();
                if (p.message.qos() == 0) {
                    queuedQos0--;
                }
                dropped(p);
                broker.tooLarge(this, p.message, p.frameSize, clientMaxFrame);
                continue;
            }
            if (p.message.qos() == 0) {
                queue.poll();
                queuedQos0--;
                if (out.isWritable()) {
                    out.publish(0, p.message, false);
                    wrote = true;
                } else {
                    broker.stats().droppedQos0.increment();
                }
                continue;
            }
            if (inflight.size() >= window) {
                broker.stats().windowStalls.increment();
                break;
            }
            queue.poll();
            p.packetId = packetIdFor(p);
            p.state = OutboundState.PUBLISHED;
            inflight.put(p.packetId, p);
            if (p.persisted) {
                store().updateOutbound(id, p.sequence, p.packetId, OutboundState.PUBLISHED);
            }
            out.publish(p.packetId, p.message, false);
            wrote = true;
        }
        windowRoom = inflight.size() < window;
        if (wrote) {
            out.flush();
        }
    }

    /**
     * The packet id of {@code p}, derived from its sequence. The PUBLISH goes out before its
     * PUBLISHED state is durable; were the id allocated freely, a message re-sent after a crash
     * could get another id than the client saw (a QoS 2 duplicate the client cannot recognise) and
     * its old id go to another message (which the client would take for a duplicate and drop).
     * The sequence is durable before the message is first sent, so the id is the same every time.
     */
    private long packetIdFor(Pending p) {
        long candidate = (p.sequence - 1) % 0xFFFF_FFFFL + 1;
        // Taken only after 2^32 - 1 messages with one of them still unacknowledged.
        return inflight.containsKey(candidate) ? allocatePacketId() : candidate;
    }

    private long allocatePacketId() {
        for (int tries = 0; tries < 1_000_000; tries++) {
            long candidate = nextPacketId++;
            if (nextPacketId > 0xFFFF_FFFFL) {
                nextPacketId = 1;
            }
            if (!inflight.containsKey(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free packet id");
    }

    private void dropped(Pending p) {
        if (p.persisted) {
            store().removeOutbound(id, p.sequence);
        }
    }

    /** PUBACK from the client. */
    synchronized void onPuback(long packetId) {
        Pending p = inflight.get(packetId);
        if (p == null || p.message.qos() != 1) {
            return; // unknown or already acknowledged: a duplicate ack is harmless
        }
        inflight.remove(packetId);
        dropped(p);
        pump();
    }

    /** PUBREC from the client: answer PUBREL. */
    synchronized void onPubrec(long packetId) {
        Pending p = inflight.get(packetId);
        SessionOutput out = live();
        if (p == null || p.message.qos() != 2) {
            if (out != null) {
                out.pubrel(packetId, false); // lets a client that kept the id finish it
                out.flush();
            }
            return;
        }
        if (p.state == OutboundState.PUBLISHED) {
            p.state = OutboundState.RELEASED;
            if (p.persisted) {
                store().updateOutbound(id, p.sequence, packetId, OutboundState.RELEASED);
            }
        }
        if (p.persisted) {
            // On PUBREL the client forgets the packet id. Were RELEASED lost in a crash, the restarted
            // server would re-send the PUBLISH and the client deliver it again: PUBREL waits for the store.
            store().barrier().thenRun(() -> sendPubrel(p));
        } else if (out != null) {
            out.pubrel(packetId, false);
            out.flush();
        }
    }

    /** PUBREL for {@code p} once its RELEASED state is durable, if it is still waiting for PUBCOMP. */
    private synchronized void sendPubrel(Pending p) {
        SessionOutput out = live();
        if (out != null && inflight.get(p.packetId) == p) {
            out.pubrel(p.packetId, false);
            out.flush();
        }
    }

    /** PUBCOMP from the client. */
    synchronized void onPubcomp(long packetId) {
        Pending p = inflight.get(packetId);
        if (p == null || p.message.qos() != 2) {
            return;
        }
        inflight.remove(packetId);
        dropped(p);
        pump();
    }

    /** NACK from the client: retry later for OVERLOADED, otherwise drop. */
    synchronized void onNack(long packetId, int code) {
        Pending p = inflight.get(packetId);
        broker.stats().nacksReceived.increment();
        if (p == null) {
            return;
        }
        if (code == org.mcpjava.wire.ErrorCode.OVERLOADED.code()) {
            p.nackAttempts++;
            broker.scheduleRetry(this, p, p.nackAttempts);
            return;
        }
        inflight.remove(packetId);
        dropped(p);
        pump();
    }

    /** Re-sends {@code p} after a NACK(OVERLOADED) backoff, if it is still waiting. */
    synchronized void retry(Pending p) {
        SessionOutput out = live();
        if (out != null && inflight.get(p.packetId) == p && p.state == OutboundState.PUBLISHED) {
            out.publish(p.packetId, p.message, true);
            out.flush();
            broker.stats().retransmitted.increment();
        }
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
