package org.mcpjava.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.mcpjava.broker.topic.Filter;
import org.mcpjava.broker.topic.Topics;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Message;
import org.mcpjava.core.MessageListener;
import org.mcpjava.core.Payload;
import org.mcpjava.core.TraceContext;
import org.mcpjava.transport.internal.ClientConnection;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.Flags;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.Metadata;
import org.mcpjava.wire.MetadataKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The client side of publish/subscribe on one connection, over a {@link ClientSession} that may
 * carry on across connections. QoS 1/2 publishes stay within the server's RECEIVE_WINDOW (more wait
 * in a bounded local queue: backpressure), complete on PUBACK / PUBCOMP, are retried with
 * exponential backoff and jitter on NACK(OVERLOADED) and fail on any other NACK. Inbound QoS 2 is
 * delivered to the application once. All state is touched on the connection's event loop.
 */
final class ClientPubSub implements ClientConnection.PubSub {
    private static final Logger log = LoggerFactory.getLogger(ClientPubSub.class);

    private final ClientSession session;
    private final MessageListener defaultListener;
    private final int maxWaiting;
    private final FrameWriter writer = new FrameWriter();
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final Map<Long, CompletableFuture<int[]>> pendingSubscribes = new LinkedHashMap<>();
    /** The session's publishes waiting for the window (kept in the session: they outlive this connection). */
    private final ArrayDeque<ClientSession.OutboundPublish> waiting;
    private ClientConnection connection;
    private long nextControlId = 1;

    private record Subscription(Filter filter, MessageListener listener) {
    }

    ClientPubSub(ClientSession session, MessageListener defaultListener, int maxWaiting) {
        this.session = session;
        this.waiting = session.waiting;
        this.defaultListener = defaultListener;
        this.maxWaiting = maxWaiting;
    }

    @Override
    public byte[] resumeSessionId() {
        return session.sessionId();
    }

    @Override
    public long sessionExpirySeconds() {
        return session.expirySeconds();
    }

    @Override
    public void onEstablished(ClientConnection c, byte[] sessionId, boolean sessionPresent) {
        this.connection = c;
        List<ClientSession.OutboundPublish> tooLarge = null;
        synchronized (session) {
            session.sessionId(sessionId);
            if (!sessionPresent) {
                session.receivedQos2.clear();
            }
            List<ClientSession.OutboundPublish> resend = new ArrayList<>(session.unacknowledged.values());
            for (ClientSession.OutboundPublish op : resend) {
                if (!op.released && PublishFrameSize.of(op) > c.peerMaxFrame()) {
                    // Sent on an earlier connection to a server that took larger frames: re-sending it
                    // would close this connection too, on every resume. Given up instead.
                    session.unacknowledged.remove(op.packetId);
                    if (op.qos == 2 && sessionPresent) {
                        // If the server got it and answered PUBREC, it keeps the packet id until PUBREL.
                        c.sendNoFlush(frame(FrameType.PUBREL, 0, op.packetId));
                    }
                    if (tooLarge == null) {
                        tooLarge = new ArrayList<>(1);
                    }
                    tooLarge.add(op);
                } else if (op.released) {
                    if (sessionPresent) {
                        c.sendNoFlush(frame(FrameType.PUBREL, Flags.DUP, op.packetId));
                    } else {
                        // The server had the message (PUBREC) before its session was lost.
                        session.unacknowledged.remove(op.packetId);
                        op.payload.release();
                        op.done.complete(null);
                    }
                } else {
                    c.sendNoFlush(publishFrame(op, sessionPresent));
                }
            }
        }
        c.flush();
        if (tooLarge != null) {
            for (ClientSession.OutboundPublish op : tooLarge) {
                failTooLarge(op, c.peerMaxFrame());
            }
        }
        drainWaiting();
    }

    @Override
    public void onClosed() {
        connection = null;
        McpException lost = new McpException(ErrorCode.UNAVAILABLE, "connection closed");
        for (CompletableFuture<int[]> f : pendingSubscribes.values()) {
            f.completeExceptionally(lost);
        }
        pendingSubscribes.clear();
        synchronized (session) {
            if (session.expirySeconds() == 0) {
                // The session ends with the connection: nothing will be resumed.
                for (ClientSession.OutboundPublish op : session.unacknowledged.values()) {
                    op.payload.release();
                    op.done.completeExceptionally(lost);
                }
                session.unacknowledged.clear();
                session.receivedQos2.clear();
            }
            // Messages waiting for the window stay in a durable session and go out on its next
            // connection, after the unacknowledged ones (they have no packet id yet).
            if (session.expirySeconds() == 0) {
                for (ClientSession.OutboundPublish op : waiting) {
                    op.payload.release();
                    op.done.completeExceptionally(lost);
                }
                waiting.clear();
            }
        }
    }

    // ------------------------------------------------------------ publish

    CompletableFuture<Void> publish(ClientConnection c, String topic, int qos, boolean retain, Payload payload,
                                    long expirySeconds) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            Topics.validateTopicName(topic, true);
            if (qos < 0 || qos > 2) {
                throw new IllegalArgumentException("qos must be 0-2: " + qos);
            }
        } catch (RuntimeException e) {
            payload.release();
            done.completeExceptionally(e);
            return done;
        }
        // Decorated on the caller's thread, where its context (e.g. the current span) lives.
        Map<Integer, String> extra = c.decorator() == null ? null : c.decorator().metadata("publish", topic);
        c.runOnLoop(() -> {
            if (connection != c || !c.isActive()) {
                payload.release();
                done.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "not connected"));
                return;
            }
            // Before a packet id or a window slot: the server would close the connection on it.
            long size = PublishFrameSize.of(topic, extra, qos == 0 ? 0 : expirySeconds, payload.size());
            if (size > c.peerMaxFrame()) {
                payload.release();
                done.completeExceptionally(tooLarge(topic, size, c.peerMaxFrame()));
                return;
            }
            if (qos == 0) {
                // Completes when written (asynchronously, so a closed loop of publishes cannot recurse).
                try {
                    FrameWriter q0 = writer.begin(c.allocator(), payload.size(), FrameType.PUBLISH, Flags.publish(0, false, retain),
                            payload.size() == 0 ? 0 : payload.codec(), 0, 0).utf8(MetadataKey.TOPIC, topic);
                    if (extra != null) {
                        for (Map.Entry<Integer, String> e : extra.entrySet()) {
                            q0.utf8(e.getKey(), e.getValue());
                        }
                    }
                    c.sendAndNotify(q0.payload(payload.data()).finish())
                            .whenComplete((v, e) -> {
                                if (e == null) {
                                    done.complete(null);
                                } else {
                                    done.completeExceptionally(e);
                                }
                            });
                } finally {
                    payload.release();
                }
                return;
            }
            ClientSession.OutboundPublish op;
            synchronized (session) {
                // Behind earlier waiting publishes too (e.g. one made in a completion callback), to keep the order.
                if (session.unacknowledged.size() >= c.peerReceiveWindow() || !waiting.isEmpty()) {
                    if (waiting.size() >= maxWaiting) {
                        payload.release();
                        done.completeExceptionally(new McpException(ErrorCode.OVERLOADED,
                                "more than " + maxWaiting + " publishes waiting for the server's window"));
                        return;
                    }
                    ClientSession.OutboundPublish w = new ClientSession.OutboundPublish(0, topic, qos, retain, payload,
                            expirySeconds, done);
                    w.metadata = extra;
                    waiting.add(w);
                    return;
                }
                op = new ClientSession.OutboundPublish(nextPacketId(), topic, qos, retain, payload, expirySeconds, done);
                op.metadata = extra;
                session.unacknowledged.put(op.packetId, op);
            }
            c.send(publishFrame(op, false));
        });
        return done;
    }

    private long nextPacketId() {
        for (int i = 0; i < 1_000_000; i++) {
            long id = session.nextPacketId++;
            if (session.nextPacketId > 0xFFFF_FFFFL) {
                session.nextPacketId = 1;
            }
            if (!session.unacknowledged.containsKey(id)) {
                return id;
            }
        }
        throw new IllegalStateException("no free packet id");
    }

    private void drainWaiting() {
        ClientConnection c = connection;
        if (c == null) {
            return;
        }
        boolean wrote = false;
        List<ClientSession.OutboundPublish> tooLarge = null;
        synchronized (session) {
            while (!waiting.isEmpty() && session.unacknowledged.size() < c.peerReceiveWindow()) {
                ClientSession.OutboundPublish w = waiting.poll();
                if (PublishFrameSize.of(w) > c.peerMaxFrame()) {
                    // Waited across a reconnect to a server with a smaller MAX_FRAME: no packet id for it.
                    if (tooLarge == null) {
                        tooLarge = new ArrayList<>(1);
                    }
                    tooLarge.add(w);
                    continue;
                }
                ClientSession.OutboundPublish op = new ClientSession.OutboundPublish(nextPacketId(), w.topic, w.qos,
                        w.retain, w.payload, w.expirySeconds, w.done);
                op.metadata = w.metadata;
                session.unacknowledged.put(op.packetId, op);
                c.sendNoFlush(publishFrame(op, false));
                wrote = true;
            }
        }
        if (wrote) {
            c.flush();
        }
        if (tooLarge != null) {
            for (ClientSession.OutboundPublish w : tooLarge) {
                failTooLarge(w, c.peerMaxFrame());
            }
        }
    }

    /** Fails a publish the session gave up because its frame exceeds the server's MAX_FRAME. */
    private static void failTooLarge(ClientSession.OutboundPublish op, int maxFrame) {
        long size = PublishFrameSize.of(op);
        op.payload.release();
        op.done.completeExceptionally(tooLarge(op.topic, size, maxFrame));
    }

    private static McpException tooLarge(String topic, long size, int maxFrame) {
        return new McpException(ErrorCode.FRAME_TOO_LARGE, "PUBLISH to " + topic + " of " + size
                + " bytes exceeds the server's MAX_FRAME " + maxFrame);
    }

    private ByteBuf publishFrame(ClientSession.OutboundPublish op, boolean dup) {
        Payload p = op.payload;
        FrameWriter w = writer.begin(connection.allocator(), p.size(), FrameType.PUBLISH,
                Flags.publish(op.qos, dup, op.retain), p.size() == 0 ? 0 : p.codec(), 0, op.packetId)
                .utf8(MetadataKey.TOPIC, op.topic);
        if (op.metadata != null) {
            for (Map.Entry<Integer, String> e : op.metadata.entrySet()) {
                w.utf8(e.getKey(), e.getValue());
            }
        }
        if (op.expirySeconds > 0) {
            w.u32(MetadataKey.MESSAGE_EXPIRY_S, op.expirySeconds);
        }
        ByteBuf data = p.data();
        return w.payload(data).finish(); // payload(ByteBuf) copies without moving data's indexes
    }

    private ByteBuf frame(FrameType type, int flags, long id) {
        return writer.begin(connection.allocator(), 0, type, flags, 0, 0, id).finish();
    }

    // ------------------------------------------------------------ subscribe

    CompletableFuture<int[]> subscribe(ClientConnection c, Map<String, Integer> filters, MessageListener listener) {
        CompletableFuture<int[]> result = new CompletableFuture<>();
        List<Filter> parsed = new ArrayList<>();
        try {
            for (Map.Entry<String, Integer> e : filters.entrySet()) {
                parsed.add(Filter.parse(e.getKey()));
                if (e.getValue() < 0 || e.getValue() > 2) {
                    throw new IllegalArgumentException("qos must be 0-2: " + e.getValue());
                }
            }
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        c.runOnLoop(() -> {
            if (connection != c || !c.isActive()) {
                result.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "not connected"));
                return;
            }
            long id = nextControlId();
            FrameWriter w = writer.begin(c.allocator(), 0, FrameType.SUBSCRIBE, 0, 0, 0, id);
            int i = 0;
            for (Map.Entry<String, Integer> e : filters.entrySet()) {
                w.subscription(e.getValue(), e.getKey());
                // Registered before SUBACK so the retained messages that follow it find their listener.
                subscriptions.put(e.getKey(), new Subscription(parsed.get(i++), listener));
            }
            pendingSubscribes.put(id, result);
            c.send(w.finish());
        });
        return result.thenApply(codes -> {
            int j = 0;
            for (String f : filters.keySet()) {
                if (codes.length > j && codes[j] == 0x80) {
                    c.runOnLoop(() -> subscriptions.remove(f));
                }
                j++;
            }
            return codes;
        });
    }

    CompletableFuture<Void> unsubscribe(ClientConnection c, List<String> filters) {
        CompletableFuture<int[]> result = new CompletableFuture<>();
        c.runOnLoop(() -> {
            if (connection != c || !c.isActive()) {
                result.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "not connected"));
                return;
            }
            long id = nextControlId();
            FrameWriter w = writer.begin(c.allocator(), 0, FrameType.UNSUBSCRIBE, 0, 0, 0, id);
            for (String f : filters) {
                w.utf8(MetadataKey.TOPIC, f);
                subscriptions.remove(f);
            }
            pendingSubscribes.put(id, result);
            c.send(w.finish());
        });
        return result.thenApply(x -> null);
    }

    private long nextControlId() {
        long id = nextControlId;
        nextControlId += 2;
        if (nextControlId > 0xFFFF_FFFFL) {
            nextControlId = 1;
        }
        return id;
    }

    // ------------------------------------------------------------ inbound frames

    @Override
    public void onFrame(FrameType type, ByteBuf frame) {
        long id = FrameHeader.streamId(frame);
        switch (type) {
            case PUBLISH:
                onPublish(id, frame);
                break;
            case PUBREL:
                synchronized (session) {
                    session.receivedQos2.remove(id);
                }
                connection.send(frame(FrameType.PUBCOMP, 0, id));
                break;
            case PUBACK:
            case PUBCOMP:
                acknowledged(id, type == FrameType.PUBACK ? 1 : 2);
                break;
            case PUBREC:
                synchronized (session) {
                    ClientSession.OutboundPublish op = session.unacknowledged.get(id);
                    if (op != null && op.qos == 2) {
                        op.released = true;
                    }
                }
                connection.send(frame(FrameType.PUBREL, 0, id));
                break;
            case NACK:
                onNack(id, (int) Metadata.number(frame, MetadataKey.ERROR_CODE, ErrorCode.INTERNAL.code()),
                        Metadata.string(frame, MetadataKey.ERROR_MESSAGE));
                break;
            case SUBACK: {
                CompletableFuture<int[]> f = pendingSubscribes.remove(id);
                if (f != null) {
                    ByteBuf p = FrameHeader.payload(frame);
                    int[] codes = new int[p.readableBytes()];
                    for (int i = 0; i < codes.length; i++) {
                        codes[i] = p.getUnsignedByte(i);
                    }
                    f.complete(codes);
                }
                break;
            }
            case UNSUBACK: {
                CompletableFuture<int[]> f = pendingSubscribes.remove(id);
                if (f != null) {
                    f.complete(new int[0]);
                }
                break;
            }
            default:
                // SUBSCRIBE / UNSUBSCRIBE from a server are not part of MCP/1: ignore.
                break;
        }
    }

    private void acknowledged(long id, int qos) {
        ClientSession.OutboundPublish op;
        synchronized (session) {
            op = session.unacknowledged.get(id);
            if (op == null || op.qos != qos) {
                return;
            }
            session.unacknowledged.remove(id);
        }
        op.payload.release();
        op.done.complete(null);
        drainWaiting();
    }

    private void onNack(long id, int code, String message) {
        ClientSession.OutboundPublish op;
        synchronized (session) {
            op = session.unacknowledged.get(id);
            if (op == null) {
                return;
            }
            if (code == ErrorCode.OVERLOADED.code()) {
                op.nackAttempts++;
                long cap = Math.min(10_000, 50L << Math.min(16, op.nackAttempts - 1));
                long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
                ClientConnection c = connection;
                c.timer().newTimeout(t -> c.runOnLoop(() -> retry(c, op)), delay, TimeUnit.MILLISECONDS);
                return;
            }
            session.unacknowledged.remove(id);
        }
        op.payload.release();
        op.done.completeExceptionally(new McpException(code, message == null ? "refused by the server" : message, null));
        drainWaiting();
    }

    private void retry(ClientConnection c, ClientSession.OutboundPublish op) {
        synchronized (session) {
            if (connection != c || session.unacknowledged.get(op.packetId) != op || op.released) {
                return;
            }
        }
        c.send(publishFrame(op, true));
    }

    private void onPublish(long id, ByteBuf frame) {
        int flags = FrameHeader.flags(frame);
        int qos = Flags.qos(flags);
        boolean deliver = true;
        if (qos == 2) {
            synchronized (session) {
                deliver = session.receivedQos2.add(id);
            }
        }
        if (deliver) {
            String topic = Metadata.string(frame, MetadataKey.TOPIC);
            TraceContext trace = TraceContext.of(Metadata.string(frame, MetadataKey.TRACEPARENT),
                    Metadata.string(frame, MetadataKey.TRACESTATE));
            Message m = new Message(topic, qos, Flags.isRetain(flags), Flags.isDup(flags), FrameHeader.codec(frame),
                    ByteBufUtil.getBytes(FrameHeader.payload(frame)), trace);
            dispatch(m);
        }
        if (qos == 1) {
            connection.send(frame(FrameType.PUBACK, 0, id));
        } else if (qos == 2) {
            connection.send(frame(FrameType.PUBREC, 0, id));
        }
    }

    private void dispatch(Message m) {
        boolean handled = false;
        MessageListener last = null;
        List<MessageListener> called = null;
        for (Subscription s : subscriptions.values()) {
            MessageListener l = s.listener();
            if (l == null || !Topics.matches(s.filter().filter(), m.topic())) {
                continue;
            }
            // The server sends a message once however many of our filters match it: each listener
            // gets it once too (overlapping filters often share one listener).
            if (l == last || (called != null && called.contains(l))) {
                continue;
            }
            if (last != null) {
                if (called == null) {
                    called = new ArrayList<>(2);
                }
                called.add(last);
            }
            last = l;
            handled = true;
            invoke(l, m);
        }
        if (!handled) {
            if (defaultListener != null) {
                invoke(defaultListener, m);
            } else {
                log.warn("message on {} matches no listener (set McpClient.Builder.messageListener to receive "
                        + "messages of a resumed session)", m.topic());
            }
        }
    }

    private static void invoke(MessageListener l, Message m) {
        try {
            l.onMessage(m);
        } catch (RuntimeException e) {
            log.warn("message listener failed on {}", m.topic(), e);
        }
    }
}
