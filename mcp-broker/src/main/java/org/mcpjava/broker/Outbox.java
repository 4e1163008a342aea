package org.mcpjava.broker;

import org.mcpjava.broker.store.OutboundEntry;
import org.mcpjava.broker.store.OutboundState;
import org.mcpjava.broker.store.SessionStore;
import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.wire.ErrorCode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The outbound side of one {@link Session}: the connection it writes to, the messages queued for
 * the client, and those in flight within the client's RECEIVE_WINDOW ({@link InflightWindow}). It
 * runs the QoS 0/1/2 flows towards the client: the pump from queue to wire, acknowledgements, NACK
 * retry, re-sending on resume, and holding every delivery against the client's MAX_FRAME.
 *
 * <p><b>Threads.</b> Confined under its session's monitor, with no lock of its own: every method
 * but the lock-free {@link #hasWindowRoom} and {@link #accepts} is called holding it (from
 * {@link Session}'s {@code synchronized} methods). Work that finishes on another thread (a store
 * barrier, the retry timer) re-enters through the session ({@link Session#sendPubrel},
 * {@link Session#retry}), so it takes the same monitor. Frames are written and the store is called
 * under that monitor (lock order: session, then store).
 */
final class Outbox {
    private final Session session;
    private final Broker broker;
    private final byte[] sessionId;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final InflightWindow inflight = new InflightWindow();
    private long nextSequence = 1;
    private int queuedQos0;
    private SessionOutput output;
    /**
     * Whether {@link #output} was {@link #resume resumed}. Until then nothing is written to it: a
     * message routed between HELLO and WELCOME (on a publisher's thread, the store's commit thread)
     * would otherwise go out before the re-sends of older unacknowledged messages, out of order.
     */
    private boolean resumed;
    /** Read without the lock by shared-subscription selection: an estimate is enough there. */
    private volatile boolean windowRoom = true;
    /**
     * The attached client's MAX_FRAME; unbounded while detached, since the next connection announces
     * its own. Written under the lock, read without it by shared-subscription selection.
     */
    private volatile int clientMaxFrame = Integer.MAX_VALUE;

    Outbox(Session session, Broker broker, byte[] sessionId) {
        this.session = session;
        this.broker = broker;
        this.sessionId = sessionId;
    }

    private SessionStore store() {
        return broker.store();
    }

    /** Messages queued (not yet sent) plus in flight. */
    int backlog() {
        return queue.size() + inflight.size();
    }

    /** Messages sent and not yet acknowledged. */
    int inflightCount() {
        return inflight.size();
    }

    /** The next free-running packet id (stored with the session). */
    long nextPacketId() {
        return inflight.nextPacketId();
    }

    /** Lock-free estimate: whether the client's window had room after the last pump. */
    boolean hasWindowRoom() {
        return windowRoom;
    }

    /** Lock-free: whether the attached client accepts a PUBLISH of {@code frameSize} bytes, or none is attached. */
    boolean accepts(long frameSize) {
        return frameSize <= clientMaxFrame;
    }

    /** Whether the queue reached its bound with messages other than QoS 0 (which would be dropped first). */
    boolean isQueueFull() {
        return queue.size() - queuedQos0 >= broker.options().maxQueuedPerSession();
    }

    /** Takes back the messages a store kept, queued or in flight (no store call). */
    void restore(List<OutboundEntry> outbound, long nextPacket) {
        List<Pending> sent = new ArrayList<>();
        for (OutboundEntry e : outbound) {
            Pending p = new Pending(session, e.sequence(), e.message(), DeliveryFrameSize.of(e.message()), true);
            p.committed = true;
            p.packetId = e.packetId();
            p.state = e.state();
            if (e.state() == OutboundState.QUEUED) {
                queue.add(p);
            } else {
                sent.add(p);
            }
            nextSequence = Math.max(nextSequence, e.sequence() + 1);
        }
        inflight.restore(sent, nextPacket);
    }

    // ------------------------------------------------------------ the connection

    /** The attached output (resumed or not), or {@code null}. */
    SessionOutput output() {
        return output;
    }

    /** Writes go to {@code out} from its {@link #resume} on; returns the previous output, if any. */
    SessionOutput attach(SessionOutput out) {
        SessionOutput previous = output;
        output = out;
        clientMaxFrame = out.maxFrame();
        resumed = false;
        return previous;
    }

    /** Lets go of {@code out}; false (and nothing changes) if another output took its place. */
    boolean detach(SessionOutput out) {
        if (output != out) {
            return false;
        }
        output = null;
        clientMaxFrame = Integer.MAX_VALUE;
        resumed = false;
        return true;
    }

    /** The output the session's own frames (PUBLISH, PUBREL) may be written to now, or {@code null}. */
    private SessionOutput live() {
        return resumed ? output : null;
    }

    /**
     * After WELCOME: re-sends every unacknowledged PUBLISH (DUP) and PUBREL (DUP) in their original
     * order, then sends what is queued; from here on {@code out} gets the session's frames. A
     * PUBLISH sent on an earlier connection that this client's MAX_FRAME no longer admits is
     * {@link #skipInflight skipped}.
     */
    void resume(SessionOutput out) {
        if (output != out || resumed) {
            return;
        }
        resumed = true;
        for (Iterator<Pending> it = inflight.iterator(); it.hasNext(); ) {
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
        broker.tooLarge(session, p.message, p.frameSize, clientMaxFrame);
        if (p.message.qos() != 2) {
            dropped(p);
            return true;
        }
        p.state = OutboundState.RELEASED;
        if (p.persisted) {
            store().updateOutbound(sessionId, p.sequence, p.packetId, OutboundState.RELEASED);
            store().barrier().thenRun(() -> session.sendPubrel(p));
        } else {
            out.pubrel(p.packetId, false);
        }
        return false;
    }

    /** The session went offline: QoS 0 is not kept for an offline session. */
    void dropQueuedQos0() {
        for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.message.qos() == 0) {
                it.remove();
                queuedQos0--;
                broker.stats().droppedQos0.increment();
            }
        }
    }

    /** Drops every queued and in-flight message (the session ended; no store call). */
    void clear() {
        queue.clear();
        queuedQos0 = 0;
        inflight.clear();
    }

    // ------------------------------------------------------------ queue

    /**
     * Queues {@code message} for the client (not sent yet: see {@link #pump()}). Returns the entry,
     * or {@code null} if it was dropped (larger than the attached client's MAX_FRAME, queue full).
     *
     * @param frameSize its {@link DeliveryFrameSize}
     * @param committed whether it may be sent at once (nothing had to be made durable for it)
     * @param durable   whether the session is stored (then a QoS 1/2 message is stored too)
     */
    Pending enqueue(StoredMessage message, long frameSize, boolean committed, boolean durable) {
        if (frameSize > clientMaxFrame) {
            broker.tooLarge(session, message, frameSize, clientMaxFrame); // before it takes a slot or a store row
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
                broker.warnQueueFull(session);
            }
            return null;
        }
        if (message.qos() == 0 && output == null) {
            broker.stats().droppedQos0.increment(); // QoS 0 is at most once: not kept for offline sessions
            return null;
        }
        boolean persist = message.qos() > 0 && durable;
        Pending p = new Pending(session, nextSequence++, message, frameSize, persist);
        p.committed = committed || !persist;
        if (persist) {
            store().addOutbound(sessionId, new OutboundEntry(p.sequence, 0, OutboundState.QUEUED, message));
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
    void discard(Pending p) {
        if (queue.remove(p)) {
            if (p.message.qos() == 0) {
                queuedQos0--;
            }
            dropped(p);
        }
    }

    /** Sends queued messages whose turn it is, as far as the client's window allows. */
    void pump() {
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
                if (p.message.qos() == 0) {
                    queuedQos0--;
                }
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
                broker.tooLarge(session, p.message, p.frameSize, clientMaxFrame);
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
            p.state = OutboundState.PUBLISHED;
            inflight.add(p);
            if (p.persisted) {
                store().updateOutbound(sessionId, p.sequence, p.packetId, OutboundState.PUBLISHED);
            }
            out.publish(p.packetId, p.message, false);
            wrote = true;
        }
        windowRoom = inflight.size() < window;
        if (wrote) {
            out.flush();
        }
    }

    private void dropped(Pending p) {
        if (p.persisted) {
            store().removeOutbound(sessionId, p.sequence);
        }
    }

    // ------------------------------------------------------------ acknowledgements

    /** PUBACK from the client. */
    void onPuback(long packetId) {
        Pending p = inflight.get(packetId);
        if (p == null || p.message.qos() != 1) {
            return; // unknown or already acknowledged: a duplicate ack is harmless
        }
        inflight.remove(packetId);
        dropped(p);
        pump();
    }

    /** PUBREC from the client: answer PUBREL. */
    void onPubrec(long packetId) {
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
                store().updateOutbound(sessionId, p.sequence, packetId, OutboundState.RELEASED);
            }
        }
        if (p.persisted) {
            // On PUBREL the client forgets the packet id. Were RELEASED lost in a crash, the restarted
            // server would re-send the PUBLISH and the client deliver it again: PUBREL waits for the store.
            store().barrier().thenRun(() -> session.sendPubrel(p));
        } else if (out != null) {
            out.pubrel(packetId, false);
            out.flush();
        }
    }

    /** PUBREL for {@code p} once its RELEASED state is durable, if it is still waiting for PUBCOMP. */
    void sendPubrel(Pending p) {
        SessionOutput out = live();
        if (out != null && inflight.holds(p)) {
            out.pubrel(p.packetId, false);
            out.flush();
        }
    }

    /** PUBCOMP from the client. */
    void onPubcomp(long packetId) {
        Pending p = inflight.get(packetId);
        if (p == null || p.message.qos() != 2) {
            return;
        }
        inflight.remove(packetId);
        dropped(p);
        pump();
    }

    /** NACK from the client: retry later for OVERLOADED, otherwise drop. */
    void onNack(long packetId, int code) {
        Pending p = inflight.get(packetId);
        broker.stats().nacksReceived.increment();
        if (p == null) {
            return;
        }
        if (code == ErrorCode.OVERLOADED.code()) {
            p.nackAttempts++;
            broker.scheduleRetry(session, p, p.nackAttempts);
            return;
        }
        inflight.remove(packetId);
        dropped(p);
        pump();
    }

    /** Re-sends {@code p} after a NACK(OVERLOADED) backoff, if it is still waiting. */
    void retry(Pending p) {
        SessionOutput out = live();
        if (out != null && inflight.holds(p) && p.state == OutboundState.PUBLISHED) {
            out.publish(p.packetId, p.message, true);
            out.flush();
            broker.stats().retransmitted.increment();
        }
    }
}
