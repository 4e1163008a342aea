package org.mcpjava.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.mcpjava.broker.Broker;
import org.mcpjava.broker.DeliveryFrameSize;
import org.mcpjava.broker.Session;
import org.mcpjava.broker.SessionOutput;
import org.mcpjava.broker.store.StoredMessage;
import org.mcpjava.broker.topic.Topics;
import org.mcpjava.core.McpException;
import org.mcpjava.core.TraceContext;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.Flags;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.Metadata;
import org.mcpjava.wire.MetadataCursor;
import org.mcpjava.wire.MetadataKey;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Connects one server connection to the {@link Broker}: turns the client's pub/sub frames into
 * broker calls, and is the {@link SessionOutput} through which the broker writes to the client.
 * Writes may come from any thread (the broker delivers on the publisher's thread or the store's
 * commit thread), so every frame is built with its own {@link FrameWriter}.
 */
final class BrokerBinding implements SessionOutput {
    /** Initial capacity of an acknowledgement or NACK (as FrameWriter.begin(alloc, ...) sizes them). */
    private static final int CONTROL_FRAME = FrameHeader.OVERHEAD + 32;

    private final Broker broker;
    private final ChannelHandlerContext ctx;
    private final McpConnection connection;
    private final int ourReceiveWindow;
    private final int peerMaxFrame;
    private final LongSupplier wallClock;
    private final AtomicInteger inboundUnacked = new AtomicInteger();
    private final java.util.Queue<ByteBuf> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Bytes queued in {@link #pending}: they count against the channel's write-buffer watermark. */
    private final java.util.concurrent.atomic.AtomicLong pendingBytes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean flushScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Session session;

    /**
     * @param ourReceiveWindow the RECEIVE_WINDOW this server announced
     * @param peerMaxFrame     the MAX_FRAME the client announced in HELLO
     */
    BrokerBinding(Broker broker, ChannelHandlerContext ctx, McpConnection connection, int ourReceiveWindow,
                  int peerMaxFrame, LongSupplier wallClock) {
        this.broker = broker;
        this.ctx = ctx;
        this.connection = connection;
        this.ourReceiveWindow = ourReceiveWindow;
        this.peerMaxFrame = peerMaxFrame;
        this.wallClock = wallClock;
    }

    /** Binds to the session chosen at HELLO. */
    void bind(Session session) {
        this.session = session;
    }

    Session session() {
        return session;
    }

    /** Handles a pub/sub frame from the client on the event loop. Does not release it. */
    void onFrame(FrameType type, ByteBuf frame) {
        Session s = session;
        long id = FrameHeader.streamId(frame);
        switch (type) {
            case PUBLISH:
                onPublish(s, id, frame);
                break;
            case PUBACK:
                broker.puback(s, id);
                break;
            case PUBREC:
                broker.pubrec(s, id);
                break;
            case PUBCOMP:
                broker.pubcomp(s, id);
                break;
            case PUBREL:
                broker.pubrel(s, id);
                break;
            case NACK:
                broker.nack(s, id, (int) Metadata.number(frame, MetadataKey.ERROR_CODE, ErrorCode.INTERNAL.code()));
                break;
            case SUBSCRIBE:
                onSubscribe(s, id, frame);
                break;
            case UNSUBSCRIBE:
                onUnsubscribe(s, id, frame);
                break;
            default:
                // SUBACK / UNSUBACK answer SUBSCRIBE / UNSUBSCRIBE the server never sends.
                break;
        }
    }

    private void onPublish(Session s, long id, ByteBuf frame) {
        int flags = FrameHeader.flags(frame);
        int qos = Flags.qos(flags);
        ByteBuf topicBytes = Metadata.value(frame, MetadataKey.TOPIC.wire());
        int codec = FrameHeader.codec(frame);
        if (topicBytes == null) {
            refuse(qos, id, ErrorCode.TOPIC_INVALID, "PUBLISH without TOPIC");
            return;
        }
        String topic = utf8(topicBytes);
        if (topic == null) {
            refuse(qos, id, ErrorCode.TOPIC_INVALID, "topic is not well-formed UTF-8");
            return;
        }
        try {
            Topics.validateTopicName(topic, true);
        } catch (McpException e) {
            refuse(qos, id, ErrorCode.TOPIC_INVALID, e.detail());
            return;
        }
        if (FrameHeader.payloadLength(frame) > 0 && !connection.settings().codecs().accepts(codec)) {
            refuse(qos, id, ErrorCode.UNSUPPORTED_CODEC, "codec " + codec + " was not announced");
            return;
        }
        if (qos > 0 && inboundUnacked.get() >= ourReceiveWindow) {
            refuse(qos, id, ErrorCode.OVERLOADED, "more than RECEIVE_WINDOW " + ourReceiveWindow + " unacknowledged");
            return;
        }
        byte[] payload = ByteBufUtil.getBytes(FrameHeader.payload(frame));
        long expiry = Metadata.number(frame, MetadataKey.MESSAGE_EXPIRY_S, 0);
        if (qos > 0) {
            inboundUnacked.incrementAndGet();
        }
        // Bounded before it is kept: the broker holds one reference per queued delivery, and the store a copy.
        TraceContext received = TraceContext.of(Metadata.string(frame, MetadataKey.TRACEPARENT),
                Metadata.string(frame, MetadataKey.TRACESTATE));
        TraceContext delivered = connection.settings().observer().publishTraceContext(connection, topic, qos, received);
        broker.publish(s, id, qos, Flags.isRetain(flags), topic, codec, payload, expiry, delivered);
    }

    /**
     * The text of a TOPIC or filter value, or {@code null} if it is not well-formed UTF-8 (spec
     * sections 1 and 5). Decoding with replacement characters instead would accept such a topic
     * under another name, and let two different byte strings name one topic.
     */
    static String utf8(ByteBuf value) {
        return ByteBufUtil.isText(value, StandardCharsets.UTF_8) ? value.toString(StandardCharsets.UTF_8) : null;
    }

    /** Refuses a PUBLISH before it was counted against our RECEIVE_WINDOW. */
    private void refuse(int qos, long id, ErrorCode code, String message) {
        if (qos > 0) {
            write(nackFrame(id, code.code(), message));
            flush();
        }
    }

    private void onSubscribe(Session s, long id, ByteBuf frame) {
        List<Broker.SubscriptionRequest> requests = new ArrayList<>();
        MetadataCursor c = new MetadataCursor().reset(frame);
        while (c.next()) {
            if (c.key() == MetadataKey.SUBSCRIPTION.wire()) {
                int qos = c.value().getUnsignedByte(0);
                // A filter that is not UTF-8 stays null: refused (0x80) like any invalid filter.
                String filter = utf8(c.value().slice(1, c.valueLength() - 1));
                requests.add(new Broker.SubscriptionRequest(filter, qos));
            }
        }
        int[] codes = broker.subscribe(s, requests);
        FrameWriter w = new FrameWriter().begin(ctx.alloc(), codes.length, FrameType.SUBACK, 0, 0, 0, id);
        ByteBuf out = w.payloadOut();
        for (int code : codes) {
            out.writeByte(code);
        }
        write(w.finish());
        flush();
        broker.sendRetained(s, requests, codes);
    }

    private void onUnsubscribe(Session s, long id, ByteBuf frame) {
        List<String> filters = new ArrayList<>();
        MetadataCursor c = new MetadataCursor().reset(frame);
        while (c.next()) {
            if (c.key() == MetadataKey.TOPIC.wire()) {
                String filter = utf8(c.value());
                if (filter != null) { // not UTF-8: never subscribed, nothing to remove
                    filters.add(filter);
                }
            }
        }
        broker.unsubscribe(s, filters);
        connection.writeBatch();
        ctx.writeAndFlush(new FrameWriter().begin(ctx.alloc(), 0, FrameType.UNSUBACK, 0, 0, 0, id).finish(),
                ctx.voidPromise());
    }

    /** The connection closed. */
    void detach() {
        Session s = session;
        if (s != null) {
            broker.detach(s, this);
        }
        releasePending();
    }

    // ------------------------------------------------------------ SessionOutput

    @Override
    public int receiveWindow() {
        return Math.max(1, connection.peerReceiveWindow);
    }

    @Override
    public int maxFrame() {
        return peerMaxFrame;
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable()
                && pendingBytes.get() < ctx.channel().config().getWriteBufferHighWaterMark();
    }

    @Override
    public void publish(long packetId, StoredMessage m, boolean dup) {
        TraceContext trace = m.trace();
        int size = (int) DeliveryFrameSize.of(m); // the broker checked it against our client's MAX_FRAME
        FrameWriter w = begin(size, FrameType.PUBLISH,
                Flags.publish(m.qos(), dup && m.qos() > 0, m.retain()), m.payload().length == 0 ? 0 : m.codec(),
                m.qos() == 0 ? 0 : packetId);
        w.utf8(MetadataKey.TOPIC, m.topic());
        if (trace != null) {
            w.utf8(MetadataKey.TRACEPARENT, trace.traceparent());
            if (trace.tracestate() != null) {
                w.utf8(MetadataKey.TRACESTATE, trace.tracestate());
            }
        }
        if (m.expiresAtMillis() != 0) {
            long remaining = Math.max(1, (m.expiresAtMillis() - wallClock.getAsLong() + 999) / 1000);
            w.u32(MetadataKey.MESSAGE_EXPIRY_S, Math.min(remaining, 0xFFFF_FFFFL));
        }
        ByteBuf frame = w.payload(m.payload()).finish();
        assert frame.readableBytes() == size : "PUBLISH of " + frame.readableBytes() + " bytes, DeliveryFrameSize " + size;
        write(frame);
    }

    @Override
    public void pubrel(long packetId, boolean dup) {
        write(begin(CONTROL_FRAME, FrameType.PUBREL, dup ? Flags.DUP : 0, 0, packetId).finish());
    }

    @Override
    public void puback(long packetId) {
        releaseWindow();
        write(begin(CONTROL_FRAME, FrameType.PUBACK, 0, 0, packetId).finish());
    }

    @Override
    public void pubrec(long packetId) {
        releaseWindow();
        write(begin(CONTROL_FRAME, FrameType.PUBREC, 0, 0, packetId).finish());
    }

    @Override
    public void pubcomp(long packetId) {
        write(begin(CONTROL_FRAME, FrameType.PUBCOMP, 0, 0, packetId).finish());
    }

    /**
     * Starts a frame the broker writes, on whatever thread it runs: pooled on Netty's threads, which
     * have the pooled allocator's thread cache and recycler, else (the store's commit thread, the
     * broker's timer) a plain heap buffer. From such a thread a pooled buffer costs a wrapper object,
     * a locked arena allocation and its release from another thread; a heap frame costs one copy
     * into the event loop's own pooled buffer when the channel writes it.
     *
     * @param capacity the frame's size if known ({@link DeliveryFrameSize}), else {@link #CONTROL_FRAME}
     */
    private FrameWriter begin(int capacity, FrameType type, int flags, int codec, long streamId) {
        ByteBuf out = FastThreadLocalThread.currentThreadHasFastThreadLocal()
                ? ctx.alloc().buffer(capacity) : Unpooled.buffer(capacity);
        return new FrameWriter().begin(out, type, flags, codec, 0, streamId);
    }

    /**
     * One of the client's publishes was answered. An answer can belong to a publish received on an
     * earlier connection of the session (re-sent after a resume), so the count never goes below 0.
     */
    private void releaseWindow() {
        inboundUnacked.updateAndGet(v -> v > 0 ? v - 1 : 0);
    }

    /** The broker refuses a PUBLISH it had counted against our RECEIVE_WINDOW. */
    @Override
    public void nack(long packetId, int code, String message) {
        releaseWindow();
        write(nackFrame(packetId, code, message));
    }

    private ByteBuf nackFrame(long packetId, int code, String message) {
        FrameWriter w = begin(CONTROL_FRAME, FrameType.NACK, 0, 0, packetId)
                .u16(MetadataKey.ERROR_CODE, code);
        if (message != null && !message.isEmpty()) {
            w.utf8(MetadataKey.ERROR_MESSAGE, message);
        }
        return w.finish();
    }

    /**
     * Writes a frame without flushing. Frames from other threads (a publisher's event loop, the
     * store's commit thread) are queued and written by one task per flush instead of one task per
     * frame; a write on the event loop first writes what is queued, so a session's frames keep the
     * order the session decided them in (it holds its lock while writing).
     */
    private void write(ByteBuf frame) {
        connection.settings().observer().frameWritten(FrameHeader.type(frame), frame.readableBytes());
        if (ctx.executor().inEventLoop()) {
            connection.writeBatch();
            drainPending();
            ctx.write(frame, ctx.voidPromise());
        } else {
            pendingBytes.addAndGet(frame.readableBytes());
            pending.add(frame);
            if (!ctx.channel().isActive()) {
                releasePending(); // closed meanwhile: nobody will drain the queue
            }
        }
    }

    private void drainPending() {
        ByteBuf f;
        while ((f = pending.poll()) != null) {
            pendingBytes.addAndGet(-f.readableBytes());
            if (ctx.channel().isActive()) {
                ctx.write(f, ctx.voidPromise());
            } else {
                f.release();
            }
        }
    }

    @Override
    public void flush() {
        if (ctx.executor().inEventLoop()) {
            connection.writeBatch();
            drainPending();
            ctx.flush();
        } else if (flushScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(this::runFlushTask);
        }
    }

    private void runFlushTask() {
        flushScheduled.set(false);
        connection.writeBatch();
        drainPending();
        ctx.flush();
    }

    /** Releases frames still queued when the connection closed. */
    void releasePending() {
        ByteBuf f;
        while ((f = pending.poll()) != null) {
            pendingBytes.addAndGet(-f.readableBytes());
            f.release();
        }
    }

    @Override
    public void takenOver() {
        connection.goAway(ErrorCode.SESSION_TAKEN_OVER, "session resumed by another connection");
    }
}
