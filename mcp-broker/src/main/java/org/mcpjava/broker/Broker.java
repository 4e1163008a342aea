package org.mcpjava.broker;

import org.mcpjava.broker.store.SessionRecord;
import org.mcpjava.broker.store.SessionStore;
import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.broker.topic.Filter;
import org.mcpjava.broker.topic.RetainedMessages;
import org.mcpjava.broker.topic.TopicTree;
import org.mcpjava.broker.topic.Topics;
import org.mcpjava.core.McpException;
import org.mcpjava.core.TraceContext;
import org.mcpjava.wire.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The publish/subscribe broker of one server: sessions, the subscription tree, retained messages
 * and the store behind them.
 *
 * <p>A connection {@link #attach attaches} after HELLO (creating or resuming a session), writes
 * WELCOME, then calls {@link #resume}; it feeds the broker the client's PUBLISH, PUBREL,
 * SUBSCRIBE, UNSUBSCRIBE and acknowledgements, and {@link #detach detaches} when it closes.
 *
 * <p><b>Durability.</b> A QoS 1/2 PUBLISH is acknowledged (PUBACK / PUBREC) only after the store
 * barrier that follows routing it, and it is sent to durable subscribers only after that barrier
 * too; a QoS 2 message's deliveries and its packet-id record are one atomic store group. So a
 * crash loses nothing acknowledged and duplicates nothing at QoS 2.
 *
 * <p>Thread-safe.
 */
public final class Broker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BrokerOptions options;
    private final SessionStore store;
    private final BrokerStats stats = new BrokerStats();
    private final TopicTree<Session> tree = new TopicTree<>();
    private final RetainedMessages<StoredMessage> retained = new RetainedMessages<>();
    private final ConcurrentHashMap<ByteBuffer, Session> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final WarningGate queueFullWarnings = new WarningGate(Duration.ofSeconds(10));
    private final WarningGate tooLargeWarnings = new WarningGate(Duration.ofSeconds(10));

    private Broker(BrokerOptions options) {
        this.options = options;
        this.store = options.store();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mcp-broker-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens a broker on {@code options}' store, restoring its sessions and retained messages. */
    public static Broker open(BrokerOptions options) {
        Broker b = new Broker(options);
        b.restore();
        b.timer.scheduleAtFixedRate(() -> {
            try {
                b.expireSessions();
            } catch (RuntimeException e) {
                log.warn("session expiry sweep failed", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
        return b;
    }

    private void restore() {
        long now = options.wallClock().getAsLong();
        int restored = 0;
        for (SessionRecord r : store.load()) {
            Session s = new Session(this, r.sessionId(), r.clientId(), r.owner(), r.expirySeconds());
            // A session attached when the server stopped counts as disconnected from now on.
            long disconnected = r.disconnectedAtMillis() == 0 ? now : r.disconnectedAtMillis();
            s.restore(r.subscriptions(), r.outbound(), r.inboundQos2(), r.nextPacketId(), disconnected);
            if (r.disconnectedAtMillis() == 0) {
                store.markDisconnected(r.sessionId(), now);
            }
            sessions.put(ByteBuffer.wrap(s.rawId()), s);
            for (Map.Entry<String, Integer> sub : r.subscriptions().entrySet()) {
                tree.subscribe(Filter.parse(sub.getKey()), s, sub.getValue());
            }
            restored++;
        }
        store.loadRetained().forEach(retained::put);
        if (restored > 0) {
            log.info("restored {} sessions and {} retained messages from the store", restored, retained.size());
        }
    }

    BrokerOptions options() {
        return options;
    }

    SessionStore store() {
        return store;
    }

    /** The broker's counters. */
    public BrokerStats stats() {
        return stats;
    }

    /** Sessions known (attached or not). */
    public int sessionCount() {
        return sessions.size();
    }

    /** The session with {@code idHex}, or {@code null}. */
    public Session session(String idHex) {
        for (Session s : sessions.values()) {
            if (s.idHex().equalsIgnoreCase(idHex)) {
                return s;
            }
        }
        return null;
    }

    /** All sessions (a snapshot). */
    public Collection<Session> sessions() {
        return new ArrayList<>(sessions.values());
    }

    // ------------------------------------------------------------ attach / detach

    /** A session bound to a connection, and whether it existed before (SESSION_PRESENT). */
    public record Attachment(Session session, boolean present) {
    }

    /**
     * Binds a connection to a session after a successful HELLO: resumes {@code requestedId} if it
     * exists and belongs to {@code owner} (taking it over from a connection still attached),
     * otherwise creates a new session. Nothing is written to {@code out} until {@link #resume}.
     *
     * @param requestedId     SESSION_ID from HELLO, or {@code null}
     * @param requestedExpiry SESSION_EXPIRY_S from HELLO (capped by the broker's maximum)
     * @throws McpException PERMISSION_DENIED when the session belongs to someone else
     */
    public Attachment attach(byte[] requestedId, long requestedExpiry, String clientId, String owner, SessionOutput out) {
        long expiry = Math.max(0, Math.min(requestedExpiry, options.maxSessionExpirySeconds()));
        if (requestedId != null) {
            Session existing = sessions.get(ByteBuffer.wrap(requestedId));
            if (existing != null && !existing.isEnded()) {
                if (!Objects.equals(existing.owner(), owner)) {
                    throw new McpException(ErrorCode.PERMISSION_DENIED, "session " + existing.idHex().substring(0, 8)
                            + " belongs to another principal");
                }
                SessionOutput previous = existing.bind(out, expiry);
                if (previous != null && previous != out) {
                    log.info("{} taken over by a new connection", existing);
                    previous.takenOver();
                }
                return new Attachment(existing, true);
            }
        }
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        Session s = new Session(this, id, clientId, owner, 0);
        sessions.put(ByteBuffer.wrap(id), s);
        s.bind(out, expiry);
        return new Attachment(s, false);
    }

    /** After WELCOME went out: re-sends the session's unacknowledged messages and sends its queue. */
    public void resume(Session session, SessionOutput out) {
        session.resume(out);
    }

    /** The connection closed: a non-durable session ends, a durable one waits for its expiry. */
    public void detach(Session session, SessionOutput out) {
        if (session.unbind(out, options.wallClock().getAsLong())) {
            endSession(session);
        }
    }

    private void endSession(Session session) {
        List<String> filters = session.end();
        for (String f : filters) {
            tree.unsubscribe(Filter.parse(f), session);
        }
        sessions.remove(ByteBuffer.wrap(session.rawId()), session);
    }

    /**
     * Ends {@code session} now, as if it had expired: its subscriptions, queued and unacknowledged
     * messages are dropped, in the store too. Refused (false) while a connection is attached.
     */
    public boolean discard(Session session) {
        if (session.isAttached() || session.isEnded()) {
            return false;
        }
        endSession(session);
        log.info("{} discarded", session);
        return true;
    }

    /** Ends the sessions whose expiry passed. Runs every second; tests call it after moving the clock. */
    public int expireSessions() {
        long now = options.wallClock().getAsLong();
        int n = 0;
        for (Session s : sessions.values()) {
            if (s.isExpired(now)) {
                endSession(s);
                stats.sessionsExpired.increment();
                n++;
                log.info("{} expired", s);
            }
        }
        return n;
    }

    // ------------------------------------------------------------ publish

    /** {@link #publish(Session, long, int, boolean, String, int, byte[], long, TraceContext)} without trace context. */
    public void publish(Session from, long packetId, int qos, boolean retain, String topic, int codec,
                        byte[] payload, long messageExpirySeconds) {
        publish(from, packetId, qos, retain, topic, codec, payload, messageExpirySeconds, null);
    }

    /**
     * A PUBLISH from {@code from}'s client. Validates the topic (NACK TOPIC_INVALID), routes the
     * message, and acknowledges it (PUBACK / PUBREC) once durable.
     *
     * @param payload owned by the broker from here on
     * @param trace   the trace context every delivery (and the retained copy) carries, or {@code null}
     */
    public void publish(Session from, long packetId, int qos, boolean retain, String topic, int codec,
                        byte[] payload, long messageExpirySeconds, TraceContext trace) {
        SessionOutput out = from.output();
        try {
            Topics.validateTopicName(topic, true);
        } catch (McpException e) {
            if (qos > 0 && out != null) {
                out.nack(packetId, e.code(), e.detail());
                out.flush();
            }
            return;
        }
        long now = options.wallClock().getAsLong();
        StoredMessage message = new StoredMessage(topic, qos, false, codec, payload,
                messageExpirySeconds > 0 ? now + messageExpirySeconds * 1000 : 0, trace);
        long frameSize = DeliveryFrameSize.of(message); // the same for every subscriber
        if (qos > 0) {
            // Backpressure instead of loss: a subscriber session at its queue bound makes the publisher
            // retry later (NACK OVERLOADED, spec 8 "Window"), so nothing acknowledged is ever dropped.
            // A subscriber the message is too large for will not queue it, so it does not count.
            boolean[] full = {false};
            // peek, not match: a share group's turn moves once, when the message is routed below.
            // A group is full only if the member it would pick (one with room, if any) is.
            tree.peek(topic, s -> !s.isQueueFull() && s.accepts(frameSize), (subscriber, maxQos) -> {
                if (!full[0] && subscriber.isQueueFull() && subscriber.accepts(frameSize)) {
                    full[0] = true;
                }
            });
            if (full[0] && !(qos == 2 && from.knowsInboundQos2(packetId))) {
                stats.overloadNacks.increment();
                if (out != null) {
                    out.nack(packetId, ErrorCode.OVERLOADED.code(), "a subscriber's queue is full; retry later");
                    out.flush();
                }
                return;
            }
        }
        stats.received[qos].increment();
        List<Pending> created = new ArrayList<>();
        boolean[] duplicate = {false};
        boolean[] persisted = {false};
        store.group(() -> {
            if (qos == 2) {
                if (!from.addInboundQos2(packetId)) {
                    duplicate[0] = true; // a retransmission: already delivered once
                    return;
                }
                persisted[0] |= from.isDurable();
            }
            if (retain) {
                if (payload.length == 0) {
                    retained.remove(topic);
                    store.putRetained(topic, null);
                } else {
                    StoredMessage kept = message.withDelivery(qos, true);
                    retained.put(topic, kept);
                    store.putRetained(topic, kept);
                }
                persisted[0] = true;
            }
            // A share group prefers a member whose window has room and whose client accepts the frame.
            tree.match(topic, s -> s.hasWindowRoom() && s.accepts(frameSize), (subscriber, maxQos) -> {
                Pending p = subscriber.enqueue(message.withDelivery(Math.min(qos, maxQos), false), frameSize, false);
                if (p != null) {
                    created.add(p);
                    persisted[0] |= p.persisted;
                    stats.routed[p.message.qos()].increment();
                }
            });
        });
        Runnable deliverAndAck = () -> {
            if (created.size() == 1) { // the common case of one subscriber: no set to build
                Pending only = created.get(0);
                only.session.markCommitted(only);
                only.session.pump();
            } else {
                Set<Session> touched = new LinkedHashSet<>();
                for (Pending p : created) {
                    p.session.markCommitted(p);
                    touched.add(p.session);
                }
                for (Session s : touched) {
                    s.pump();
                }
            }
            SessionOutput publisher = from.output();
            if (publisher != null && qos > 0) {
                if (qos == 1) {
                    publisher.puback(packetId);
                } else {
                    publisher.pubrec(packetId);
                }
                publisher.flush();
            }
        };
        if (persisted[0] || duplicate[0]) {
            store.barrier().whenComplete((v, e) -> {
                if (e != null) {
                    log.error("store commit failed; PUBLISH {} from {} is not acknowledged", packetId, from, e);
                    // Withdraw what the failed commit covered: the publisher's retry routes it again.
                    for (Pending p : created) {
                        p.session.discard(p);
                    }
                    if (qos == 2 && !duplicate[0]) {
                        from.removeInboundQos2(packetId);
                    }
                    SessionOutput publisher = from.output();
                    if (publisher != null && qos > 0) {
                        publisher.nack(packetId, ErrorCode.UNAVAILABLE.code(), "store commit failed");
                        publisher.flush();
                    }
                    return;
                }
                deliverAndAck.run();
            });
        } else {
            deliverAndAck.run();
        }
    }

    /** PUBREL from the client: the QoS 2 exchange ends; PUBCOMP once the id's removal is durable. */
    public void pubrel(Session from, long packetId) {
        from.removeInboundQos2(packetId);
        Runnable complete = () -> {
            SessionOutput out = from.output();
            if (out != null) {
                out.pubcomp(packetId);
                out.flush();
            }
        };
        if (from.isDurable()) {
            store.barrier().thenRun(complete);
        } else {
            complete.run();
        }
    }

    /** PUBACK from the client. */
    public void puback(Session session, long packetId) {
        session.onPuback(packetId);
    }

    /** PUBREC from the client. */
    public void pubrec(Session session, long packetId) {
        session.onPubrec(packetId);
    }

    /** PUBCOMP from the client. */
    public void pubcomp(Session session, long packetId) {
        session.onPubcomp(packetId);
    }

    /** NACK from the client refusing a PUBLISH we sent. */
    public void nack(Session session, long packetId, int code) {
        session.onNack(packetId, code);
    }

    void scheduleRetry(Session session, Pending p, int attempt) {
        long base = options.retryBaseMillis() << Math.min(20, attempt - 1);
        long capped = Math.min(options.retryMaxMillis(), base);
        long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1); // jitter in [cap/2, cap]
        timer.schedule(() -> session.retry(p), delay, TimeUnit.MILLISECONDS);
    }

    void warnQueueFull(Session s) {
        if (queueFullWarnings.tryOpen()) {
            log.warn("{}: outbound queue full ({} messages): dropping new messages for it (counted)", s,
                    options.maxQueuedPerSession());
        }
    }

    /**
     * {@code s} skips {@code m}: its PUBLISH would be {@code frameSize} bytes, over the client's
     * MAX_FRAME. Counted; logged at debug, and at warn at most every 10 seconds.
     */
    void tooLarge(Session s, StoredMessage m, long frameSize, int maxFrame) {
        stats.droppedTooLarge.increment();
        if (tooLargeWarnings.tryOpen()) {
            log.warn("{}: skipping a message on {} of {} bytes, over the client's MAX_FRAME {} (counted;"
                    + " logged at most every 10 s, each one at debug)", s, m.topic(), frameSize, maxFrame);
        } else if (log.isDebugEnabled()) {
            log.debug("{}: skipping a message on {} of {} bytes, over the client's MAX_FRAME {}", s, m.topic(),
                    frameSize, maxFrame);
        }
    }

    // ------------------------------------------------------------ subscribe

    /** One filter of a SUBSCRIBE. */
    public record SubscriptionRequest(String filter, int maxQos) {
    }

    /**
     * Subscribes; returns one SUBACK code per filter (granted QoS 0-2, or 0x80 refused for an
     * invalid filter). Send SUBACK, then call {@link #sendRetained}.
     */
    public int[] subscribe(Session session, List<SubscriptionRequest> requests) {
        int[] codes = new int[requests.size()];
        for (int i = 0; i < codes.length; i++) {
            SubscriptionRequest r = requests.get(i);
            try {
                Filter f = Filter.parse(r.filter());
                int q = Math.min(2, Math.max(0, r.maxQos()));
                tree.subscribe(f, session, q);
                session.addSubscription(r.filter(), q);
                codes[i] = q;
            } catch (McpException e) {
                codes[i] = 0x80;
            }
        }
        return codes;
    }

    /** Queues the retained messages matching newly granted filters (each carries RETAIN). */
    public void sendRetained(Session session, List<SubscriptionRequest> requests, int[] codes) {
        List<Pending> created = new ArrayList<>();
        boolean[] persisted = {false};
        store.group(() -> {
            for (int i = 0; i < codes.length; i++) {
                if (codes[i] == 0x80) {
                    continue;
                }
                Filter f = Filter.parse(requests.get(i).filter());
                if (f.shareGroup() != null) {
                    continue; // MQTT practice: shared subscriptions get no retained messages
                }
                int granted = codes[i];
                retained.forEachMatching(f.filter(), (topic, m) -> {
                    Pending p = session.enqueue(m.withDelivery(Math.min(m.qos(), granted), true),
                            DeliveryFrameSize.of(m), false);
                    if (p != null) {
                        created.add(p);
                        persisted[0] |= p.persisted;
                    }
                });
            }
        });
        Runnable deliver = () -> {
            for (Pending p : created) {
                session.markCommitted(p);
            }
            session.pump();
        };
        if (persisted[0]) {
            store.barrier().thenRun(deliver);
        } else {
            deliver.run();
        }
    }

    /** Unsubscribes; unknown filters are ignored. */
    public void unsubscribe(Session session, List<String> filters) {
        for (String raw : filters) {
            try {
                if (session.removeSubscription(raw)) {
                    tree.unsubscribe(Filter.parse(raw), session);
                }
            } catch (McpException e) {
                // an invalid filter was never subscribed
            }
        }
    }

    /** Stops the timer and closes the store (pending writes are flushed). */
    @Override
    public void close() {
        timer.shutdownNow();
        store.close();
    }
}
