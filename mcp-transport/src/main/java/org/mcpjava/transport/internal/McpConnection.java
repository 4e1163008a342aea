package org.mcpjava.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import org.mcpjava.core.Connection;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.transport.FrameDecoderHandler;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.Flags;
import org.mcpjava.wire.FrameException;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.Metadata;
import org.mcpjava.wire.MetadataKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One MCP/1 connection: the state machine, keepalive, request/response in both directions,
 * deadlines, cancel and GOAWAY drain. The handshake differs per side ({@link ServerConnection},
 * {@link ClientConnection}); everything after it is shared.
 *
 * <p><b>Threads.</b> All state is confined to the channel's event loop; the public
 * {@link Connection} methods hop onto it. Futures complete on the event loop: callbacks must not
 * block it.
 *
 * <p><b>Buffers.</b> Every inbound frame is released here unless an {@link InboundRequest} takes it
 * over; every frame written is handed to Netty, which releases it.
 */
public abstract class McpConnection extends ChannelInboundHandlerAdapter implements Connection {
    private static final Logger log = LoggerFactory.getLogger(McpConnection.class);
    /** How long a connection error's ERROR frame may take to be written before the close goes ahead. */
    private static final long ERROR_LINGER_MILLIS = 2_000;

    protected final EngineSettings settings;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final LongObjectHashMap<PendingCall> outbound = new LongObjectHashMap<>();
    private final LongObjectHashMap<InboundRequest> inbound = new LongObjectHashMap<>();
    private final LongObjectHashMap<CompletableFuture<Duration>> pings = new LongObjectHashMap<>();

    protected ChannelHandlerContext ctx;
    /**
     * Where this connection's own flushes start: past the pipeline's FlushConsolidationHandler
     * (which consolidates the pub/sub path's flushes), because this connection already flushes
     * once per read or loop turn.
     */
    private ChannelHandlerContext flushCtx;
    protected FrameFactory frames;
    private volatile ConnectionState state = ConnectionState.NEW;

    // Negotiated in the handshake.
    protected int peerMaxFrame = FrameHeader.DEFAULT_MAX_FRAME;
    protected long peerMaxConcurrentRequests = Long.MAX_VALUE;
    protected int peerReceiveWindow = 0xFFFF;
    protected byte[] peerCodecs = {0};
    protected long keepaliveNanos;
    protected volatile byte[] sessionId = new byte[0];

    private long lastReadNanos;
    private long lastWriteNanos;
    /**
     * Set on every frame read / written; the housekeeping tick turns them into lastRead/WriteNanos.
     * Keepalive needs only that precision, and the clock is not read once per frame.
     */
    private boolean readActivity;
    private boolean writeActivity;
    /** When the previous housekeeping tick ran: activity seen now happened after it. */
    private long lastTickNanos;
    /** Whether an observer wants latencies (then request and call timestamps are taken). */
    private final boolean observing;
    private long handshakeDeadlineNanos;
    private ScheduledFuture<?> housekeeping;
    /** The period {@link #housekeeping} runs at. */
    private long housekeepingMillis;
    private long nextStreamId;
    private long highestInboundId;
    private boolean goawaySent;
    private long goawayLastStreamId;
    private boolean peerGoaway;
    /** The peer half-closed: it sends nothing more, we finish answering and close. */
    private boolean inputShutdown;
    /** Why the transport failed (I/O or TLS), for the failure of a pending handshake. */
    protected volatile Throwable transportFailure;
    private boolean errorSent;
    /** Inside channelRead .. channelReadComplete: batched frames go out at readComplete. */
    private boolean reading;
    /** A task will hand the batch to the channel and flush (writes outside a read). */
    private boolean flushScheduled;
    /** Frames were written (or batched) since the last flush of this connection. */
    private boolean flushPending;
    private final Runnable flushTask = this::runFlushTask;
    /** When the current read began (ticker nanos), read once per read and only when observing. */
    private long readStartNanos;
    private boolean readStartKnown;
    /** Requests answered in the current read, reported with one clock read at its end. */
    private final DeferredLatencies answeredInRead = new DeferredLatencies();
    private volatile Duration smoothedRtt;
    /** The error code this connection closes with (sent or received); NO_ERROR for a normal close. */
    private int closeCode;

    protected McpConnection(EngineSettings settings, boolean clientSide) {
        this.settings = settings;
        this.nextStreamId = clientSide ? 1 : 2;
        this.observing = settings.observer() != org.mcpjava.core.EngineObserver.NONE;
    }

    /** The endpoint settings. */
    EngineSettings settings() {
        return settings;
    }

    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    /** The current state. */
    public ConnectionState state() {
        return state;
    }

    /** The channel, once the handler is added. */
    public Channel channel() {
        return ctx.channel();
    }

    // ---------------------------------------------------------------- side-specific hooks

    /** Called once the channel is active: the client sends HELLO here. */
    protected abstract void onActive();

    /** Handles a frame that arrives in NEW or HANDSHAKING. Does not release it. */
    protected abstract void onHandshakeFrame(FrameType type, ByteBuf frame);

    /** Whether {@code streamId} has the parity of ids the peer allocates. */
    protected abstract boolean isPeerStreamId(long streamId);

    /** Called on the event loop after the channel closed and everything was failed. */
    protected void onClosed() {
    }

    /** Called when the peer sent GOAWAY. */
    protected void onPeerGoaway(int code, String message, long lastStreamId) {
    }

    // ---------------------------------------------------------------- state

    /**
     * Moves to {@code next}, enforcing the legal transitions.
     *
     * @throws McpException PROTOCOL_ERROR for an illegal transition
     */
    protected final void moveTo(ConnectionState next) {
        ConnectionState current = state;
        if (current == next) {
            return;
        }
        if (!current.canMoveTo(next)) {
            throw new McpException(ErrorCode.PROTOCOL_ERROR, "illegal transition " + current + " -> " + next);
        }
        state = next;
    }

    /** Marks the handshake done with the negotiated parameters. */
    protected final void established() {
        moveTo(ConnectionState.ESTABLISHED);
        lastReadNanos = settings.ticker().nanoTime();
        tightenHousekeeping();
        settings.observer().connectionEstablished(this);
    }

    /**
     * The smallest housekeeping period a negotiated keepalive needs: a quarter of it (so a PING
     * follows KEEPALIVE_MS of silence, and KEEPALIVE_TIMEOUT 1.5 x KEEPALIVE_MS, within a quarter),
     * never below 10 ms unless the configured period already is.
     */
    static long housekeepingPeriodFor(long keepaliveMillis, long configuredMillis) {
        if (keepaliveMillis <= 0) {
            return configuredMillis;
        }
        return Math.min(configuredMillis, Math.max(Math.min(10, configuredMillis), keepaliveMillis / 4));
    }

    /**
     * The period chosen when the connection opened comes from this side's own settings; the
     * negotiated KEEPALIVE_MS may be far lower (a client asks for less than the server's maximum,
     * or a server lowers the client's), and the spec's instants (PING after KEEPALIVE_MS, close
     * after 1.5 x) need ticks of a quarter of it. Reschedules if so. Event loop only.
     */
    private void tightenHousekeeping() {
        long period = housekeepingPeriodFor(TimeUnit.NANOSECONDS.toMillis(keepaliveNanos), housekeepingMillis);
        if (housekeeping == null || period >= housekeepingMillis) {
            return;
        }
        housekeeping.cancel(false);
        housekeepingMillis = period;
        housekeeping = ctx.executor().scheduleAtFixedRate(this::housekeeping, period, period, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- channel events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.frames = new FrameFactory(ctx.alloc(), this::handOver);
        ChannelHandlerContext consolidation = ctx.pipeline().context(FlushConsolidationHandler.class);
        this.flushCtx = consolidation != null ? consolidation : ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long now = settings.ticker().nanoTime();
        lastReadNanos = now;
        lastWriteNanos = now;
        lastTickNanos = now;
        handshakeDeadlineNanos = now + TimeUnit.MILLISECONDS.toNanos(settings.handshakeTimeoutMillis());
        housekeepingMillis = settings.housekeepingMillis();
        housekeeping = ctx.executor().scheduleAtFixedRate(this::housekeeping,
                housekeepingMillis, housekeepingMillis, TimeUnit.MILLISECONDS);
        onActive();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        boolean release = true;
        reading = true;
        try {
            readActivity = true;
            if (errorSent || state == ConnectionState.CLOSED) {
                return;
            }
            FrameType type = FrameHeader.type(frame);
            settings.observer().frameRead(type, frame.readableBytes());
            if (state == ConnectionState.NEW || state == ConnectionState.HANDSHAKING) {
                onHandshakeFrame(type, frame);
                return;
            }
            release = dispatch(type, frame);
        } catch (McpException e) {
            connectionError(e.code(), e.detail());
        } catch (RuntimeException e) {
            log.warn("{}: internal error handling a frame", this, e);
            connectionError(ErrorCode.INTERNAL.code(), "internal error: " + e);
        } finally {
            if (release) {
                frame.release();
            }
        }
    }

    /** Handles an established-state frame; returns whether the caller should release it. */
    private boolean dispatch(FrameType type, ByteBuf frame) {
        switch (type) {
            case REQUEST:
            case NOTIFY:
                return onRequest(type, frame);
            case RESPONSE:
                onResponse(frame);
                return true;
            case ERROR:
                if (FrameHeader.streamId(frame) == 0) {
                    onPeerConnectionError(frame);
                } else {
                    onErrorReply(frame);
                }
                return true;
            case CANCEL:
                onCancel(FrameHeader.streamId(frame));
                return true;
            case PING:
                write(frames.pong(FrameHeader.payload(frame)));
                return true;
            case PONG:
                onPong(frame);
                return true;
            case GOAWAY:
                onGoaway(frame);
                return true;
            case HELLO:
            case WELCOME:
                throw new McpException(ErrorCode.PROTOCOL_ERROR, type + " after the handshake (state " + state + ")");
            default:
                onPubSub(type, frame);
                return true;
        }
    }

    /**
     * Pub/sub frames. This connection has no pub/sub engine: QoS 1/2 PUBLISH is refused with
     * NACK(NOT_FOUND), SUBSCRIBE gets every filter refused (0x80), UNSUBSCRIBE is acknowledged.
     */
    protected void onPubSub(FrameType type, ByteBuf frame) {
        long id = FrameHeader.streamId(frame);
        switch (type) {
            case PUBLISH:
                if (Flags.qos(FrameHeader.flags(frame)) > 0) {
                    write(frames.begin(0, FrameType.NACK, 0, 0, 0, id)
                            .u16(MetadataKey.ERROR_CODE, ErrorCode.NOT_FOUND.code())
                            .utf8(MetadataKey.ERROR_MESSAGE, "publish/subscribe is not enabled on this endpoint")
                            .finish());
                }
                break;
            case SUBSCRIBE: {
                int filters = 0;
                org.mcpjava.wire.MetadataCursor c = new org.mcpjava.wire.MetadataCursor().reset(frame);
                while (c.next()) {
                    if (c.key() == MetadataKey.SUBSCRIPTION.wire()) {
                        filters++;
                    }
                }
                org.mcpjava.wire.FrameWriter w = frames.begin(filters, FrameType.SUBACK, 0, 0, 0, id);
                for (int i = 0; i < filters; i++) {
                    w.payloadOut().writeByte(0x80);
                }
                write(w.finish());
                break;
            }
            case UNSUBSCRIBE:
                write(frames.begin(0, FrameType.UNSUBACK, 0, 0, 0, id).finish());
                break;
            default:
                // Acknowledgements for messages this side never sent: nothing to do.
                break;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (flushPending) {
            flushPending = false;
            writeBatch();
            flushCtx.flush();
        }
        readStartKnown = false;
        if (!answeredInRead.isEmpty()) {
            answeredInRead.report(settings.observer(), this, settings.ticker().nanoTime());
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A peer that does not read what we write stops being read from: memory stays bounded by
        // the write-buffer high watermark instead of growing with its requests.
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        FrameException fe = FrameDecoderHandler.frameException(cause);
        if (fe != null && (state == ConnectionState.CLOSED || (state == ConnectionState.CLOSING && !ctx.channel().isActive()))) {
            // Our own close cut the peer's last frame short: nothing is wrong with the peer.
            log.debug("{}: partial frame discarded at close: {}", this, fe.getMessage());
        } else if (fe != null) {
            log.warn("{}: bad frame from peer: {}", this, fe.getMessage());
            connectionError(fe.errorCode().code(), fe.getMessage());
        } else if (ioCause(cause) != null) {
            // I/O and TLS failures (SSLException is an IOException, wrapped by SslHandler's decoder):
            // the transport is gone or untrusted, so there is no one to send an ERROR frame to.
            transportFailure = ioCause(cause);
            log.debug("{}: transport error: {}", this, cause.toString());
            ctx.close();
        } else {
            log.warn("{}: unexpected error", this, cause);
            connectionError(ErrorCode.INTERNAL.code(), "internal error");
        }
    }

    private static IOException ioCause(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return (IOException) t;
            }
        }
        return null;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            onInputShutdown();
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * The peer half-closed its side (the decoder has already reported a frame it cut short). It can
     * send nothing more, so calls to it cannot be answered; requests it made are answered, then
     * the connection closes (within the drain timeout), as after a GOAWAY.
     */
    private void onInputShutdown() {
        if (errorSent || inputShutdown || state == ConnectionState.CLOSED) {
            return;
        }
        inputShutdown = true;
        if (state != ConnectionState.ESTABLISHED && state != ConnectionState.CLOSING) {
            ctx.close(); // no handshake can complete without the peer
            return;
        }
        McpException unanswerable = new McpException(ErrorCode.UNAVAILABLE, "peer closed its side of the connection");
        for (PendingCall call : new ArrayList<>(outbound.values())) {
            failCall(call, unanswerable);
        }
        outbound.clear();
        if (state == ConnectionState.ESTABLISHED) {
            moveTo(ConnectionState.CLOSING);
        }
        settings.timer().newTimeout(t -> onLoop(this::drainTimedOut), settings.drainTimeoutMillis(), TimeUnit.MILLISECONDS);
        maybeFinishDrain();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        boolean wasEstablished = state == ConnectionState.ESTABLISHED || state == ConnectionState.CLOSING;
        state = ConnectionState.CLOSED;
        if (wasEstablished && sessionId.length > 0) {
            settings.observer().connectionClosed(this, closeCode);
        }
        if (housekeeping != null) {
            housekeeping.cancel(false);
        }
        McpException lost = new McpException(ErrorCode.UNAVAILABLE, "connection closed");
        for (PendingCall call : new ArrayList<>(outbound.values())) {
            failCall(call, lost);
        }
        outbound.clear();
        for (InboundRequest request : new ArrayList<>(inbound.values())) {
            request.markCancelled();
            request.answered = true;
            request.releaseIfFinished();
        }
        inbound.clear();
        for (CompletableFuture<Duration> ping : pings.values()) {
            ping.completeExceptionally(lost);
        }
        pings.clear();
        frames.releaseBatch();
        if (!answeredInRead.isEmpty()) {
            answeredInRead.report(settings.observer(), this, settings.ticker().nanoTime());
        }
        try {
            onClosed();
        } finally {
            closeFuture.complete(null);
            ctx.fireChannelInactive();
        }
    }

    // ---------------------------------------------------------------- housekeeping

    private void housekeeping() {
        long now = settings.ticker().nanoTime();
        // Activity flagged since the previous tick happened after it: stamping it with that tick's
        // time errs towards silence by at most one interval (a quarter of the keepalive), never
        // towards keeping a dead peer, even when the clock jumps (as a test's clock does).
        if (readActivity) {
            readActivity = false;
            lastReadNanos = Math.max(lastReadNanos, lastTickNanos);
        }
        if (writeActivity) {
            writeActivity = false;
            lastWriteNanos = Math.max(lastWriteNanos, lastTickNanos);
        }
        lastTickNanos = now;
        ConnectionState s = state;
        if (s == ConnectionState.NEW || s == ConnectionState.HANDSHAKING) {
            if (now - handshakeDeadlineNanos >= 0) {
                connectionError(ErrorCode.DEADLINE_EXCEEDED.code(),
                        "handshake not completed within " + settings.handshakeTimeoutMillis() + " ms");
            }
            return;
        }
        if (keepaliveNanos <= 0 || s == ConnectionState.CLOSED) {
            return;
        }
        if (now - lastReadNanos >= keepaliveNanos + keepaliveNanos / 2) {
            connectionError(ErrorCode.KEEPALIVE_TIMEOUT.code(), "nothing received for "
                    + TimeUnit.NANOSECONDS.toMillis(now - lastReadNanos) + " ms (keepalive "
                    + TimeUnit.NANOSECONDS.toMillis(keepaliveNanos) + " ms)");
        } else if (now - lastWriteNanos >= keepaliveNanos) {
            write(frames.ping(now));
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes one frame (built by {@link #frames}, possibly into its batch) and sees that it is
     * flushed: at the end of the current read, or by a task of its own outside a read, so that
     * frames produced in one event-loop turn leave in one write. Event loop only.
     */
    protected final void write(ByteBuf frame) {
        writeActivity = true;
        if (frames.isBatch(frame)) {
            settings.observer().frameWritten(frames.lastBatchedType(), frames.lastBatchedLength());
        } else {
            settings.observer().frameWritten(FrameHeader.type(frame), frame.readableBytes());
            writeBatch(); // what was built before this frame goes first
            ctx.write(frame, ctx.voidPromise());
        }
        flushPending = true;
        if (!reading && !flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(flushTask);
        }
    }

    /**
     * Hands the frames batched so far to the channel (no flush). Anything that writes to the channel
     * other than through {@link #write} calls this first, to keep the order frames were built in.
     * Event loop only.
     */
    final void writeBatch() {
        ByteBuf batch = frames.takeBatch();
        if (batch != null) {
            handOver(batch);
        }
    }

    /** Writes a batch to the channel, unflushed (also a full one, before the frame that did not fit). */
    private void handOver(ByteBuf batch) {
        if (state == ConnectionState.CLOSED) {
            batch.release();
        } else {
            ctx.write(batch, ctx.voidPromise());
        }
    }

    private void runFlushTask() {
        flushScheduled = false;
        if (flushPending) {
            flushPending = false;
            writeBatch();
            flushCtx.flush();
        }
    }

    /**
     * A connection error: ERROR on stream 0 with {@code code}, then close. Later frames from the peer
     * are ignored. Idempotent.
     */
    protected final void connectionError(int code, String message) {
        if (errorSent || state == ConnectionState.CLOSED) {
            return;
        }
        errorSent = true;
        closeCode = code;
        log.warn("{}: closing with {}: {}", this, ErrorCode.nameOf(code), message);
        if (state == ConnectionState.NEW || state == ConnectionState.HANDSHAKING) {
            settings.observer().handshakeFailed(ctx.channel().remoteAddress(), code);
        }
        if (state != ConnectionState.CLOSING) {
            moveTo(ConnectionState.CLOSING);
        }
        lastWriteNanos = settings.ticker().nanoTime();
        writeBatch();
        ChannelFuture written = ctx.writeAndFlush(frames.connectionError(code, message));
        if (!ctx.channel().isWritable()) {
            // The peer is not reading what was sent before (a slow reader, or one that timed out):
            // it will not read the ERROR either, and waiting for the write would keep it open forever.
            ctx.close();
            return;
        }
        written.addListener(ChannelFutureListener.CLOSE);
        // A write completes once the kernel takes it; if the peer stops reading now, do not wait.
        Channel channel = ctx.channel();
        settings.timer().newTimeout(t -> channel.close(), ERROR_LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** When the current read began: one clock read per read. */
    private long readStart() {
        if (!reading) {
            return settings.ticker().nanoTime();
        }
        if (!readStartKnown) {
            readStartKnown = true;
            readStartNanos = settings.ticker().nanoTime();
        }
        return readStartNanos;
    }

    /** Runs {@code task} on the event loop (now, if already on it). */
    protected final boolean onLoop(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
            return true;
        }
        try {
            ctx.executor().execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false; // the event loop has shut down, so the channel is closed: callers fail their futures
        }
    }

    // ---------------------------------------------------------------- inbound requests

    private boolean onRequest(FrameType type, ByteBuf frame) {
        long id = FrameHeader.streamId(frame);
        int opcode = FrameHeader.opcode(frame);
        if (type == FrameType.REQUEST) {
            if (!isPeerStreamId(id)) {
                throw new McpException(ErrorCode.PROTOCOL_ERROR, "REQUEST on stream " + id
                        + " has the parity of this side's stream ids");
            }
            if (inbound.containsKey(id)) {
                throw new McpException(ErrorCode.PROTOCOL_ERROR, "stream " + id + " reused while in flight");
            }
            if (goawaySent && id > goawayLastStreamId) {
                write(frames.error(id, opcode, ErrorCode.UNAVAILABLE.code(), "connection is going away"));
                return true;
            }
            if (inbound.size() >= settings.maxConcurrentRequests()) {
                write(frames.error(id, opcode, ErrorCode.OVERLOADED.code(),
                        "more than " + settings.maxConcurrentRequests() + " requests in flight"));
                return true;
            }
            highestInboundId = Math.max(highestInboundId, id);
        } else if (goawaySent) {
            return true;
        }
        if (FrameHeader.payloadLength(frame) > 0 && !settings.codecs().accepts(FrameHeader.codec(frame))) {
            if (type == FrameType.REQUEST) {
                write(frames.error(id, opcode, ErrorCode.UNSUPPORTED_CODEC.code(),
                        "codec " + FrameHeader.codec(frame) + " was not announced"));
            }
            return true;
        }
        InboundRequest request = new InboundRequest(this, frame);
        if (observing) {
            request.receivedNanos = readStart();
        }
        if (type == FrameType.REQUEST) {
            inbound.put(id, request);
        }
        CompletionStage<Payload> stage = settings.router().dispatch(request);
        // Fast path: a handler that answered at once (ECHO, cached lookups) is answered here, with no
        // completion callback, and never needs its deadline timer.
        if (stage instanceof CompletableFuture && ((CompletableFuture<Payload>) stage).isDone()) {
            CompletableFuture<Payload> done = (CompletableFuture<Payload>) stage;
            Payload payload = null;
            Throwable error = null;
            try {
                payload = done.getNow(null);
            } catch (RuntimeException e) {
                error = e;
            }
            completeInbound(request, payload, error);
            return false;
        }
        if (type == FrameType.REQUEST) {
            long timeout = request.timeoutMillis();
            if (timeout > 0) {
                request.deadline = settings.timer().newTimeout(
                        t -> onLoop(() -> expireInbound(request)), timeout, TimeUnit.MILLISECONDS);
            }
        }
        stage.whenComplete((payload, error) -> {
            if (ctx.executor().inEventLoop()) {
                completeInbound(request, payload, error);
            } else {
                onLoop(() -> completeInbound(request, payload, error));
            }
        });
        return false;
    }

    private void completeInbound(InboundRequest request, Payload payload, Throwable error) {
        request.handlerDone = true;
        try {
            if (request.isNotify()) {
                if (error != null) {
                    log.debug("{}: NOTIFY 0x{} failed: {}", this, Integer.toHexString(request.opcode()), error.toString());
                }
                request.answered = true;
                return;
            }
            if (request.answered) {
                return; // cancelled or expired: the answer went out already
            }
            request.answered = true;
            inbound.remove(request.streamId());
            if (request.deadline != null) {
                request.deadline.cancel();
            }
            if (state == ConnectionState.CLOSED) {
                return;
            }
            if (error == null && payload == null) {
                error = new McpException(ErrorCode.INTERNAL, "handler completed with no payload");
            }
            int answered;
            if (error == null) {
                if (FrameHeader.OVERHEAD + payload.size() > peerMaxFrame) {
                    answered = ErrorCode.FRAME_TOO_LARGE.code();
                    write(frames.error(request.streamId(), request.opcode(), answered,
                            "response of " + payload.size() + " bytes exceeds the peer's MAX_FRAME " + peerMaxFrame));
                } else {
                    answered = 0;
                    write(frames.response(request.streamId(), request.opcode(), payload));
                }
            } else {
                Throwable cause = unwrap(error);
                McpException mcp = McpException.find(cause);
                if (mcp == null) {
                    log.warn("{}: handler for opcode 0x{} failed", this, Integer.toHexString(request.opcode()), cause);
                    answered = ErrorCode.INTERNAL.code();
                    write(frames.error(request.streamId(), request.opcode(), answered,
                            "handler failed: " + cause.getClass().getSimpleName()));
                } else {
                    answered = mcp.code();
                    write(frames.error(request.streamId(), request.opcode(), mcp.code(), mcp.detail()));
                }
            }
            if (observing) {
                if (reading) {
                    answeredInRead.add(request.opcode(), answered, request.receivedNanos);
                } else {
                    settings.observer().requestHandled(this, request.opcode(),
                            settings.ticker().nanoTime() - request.receivedNanos, answered);
                }
            }
        } finally {
            if (payload != null) {
                payload.release();
            }
            request.releaseIfFinished();
            maybeFinishDrain();
        }
    }

    private void expireInbound(InboundRequest request) {
        if (request.answered) {
            return;
        }
        request.answered = true;
        request.markCancelled();
        inbound.remove(request.streamId());
        if (state != ConnectionState.CLOSED) {
            write(frames.error(request.streamId(), request.opcode(), ErrorCode.DEADLINE_EXCEEDED.code(),
                    "deadline of " + request.timeoutMillis() + " ms passed"));
        }
        request.releaseIfFinished();
        maybeFinishDrain();
    }

    private void onCancel(long id) {
        InboundRequest request = inbound.remove(id);
        if (request == null || request.answered) {
            return; // already answered: CANCEL crossed the answer on the wire
        }
        request.answered = true;
        request.markCancelled();
        if (request.deadline != null) {
            request.deadline.cancel();
        }
        write(frames.error(id, request.opcode(), ErrorCode.CANCELLED.code(), "cancelled by the requester"));
        request.releaseIfFinished();
        maybeFinishDrain();
    }

    // ---------------------------------------------------------------- outbound requests

    @Override
    public CompletableFuture<Payload> call(int opcode, Payload payload, Duration timeout) {
        PendingCall call = new PendingCall(this);
        long timeoutMillis = timeout == null ? 0 : Math.max(0, timeout.toMillis());
        if (timeout != null && !timeout.isZero() && timeoutMillis == 0) {
            timeoutMillis = 1;
        }
        long millis = timeoutMillis;
        if (ctx == null) {
            payload.release();
            call.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "not connected"));
            return call;
        }
        // The decorator runs on the caller's thread, where its context (e.g. the current span) lives.
        Map<Integer, String> extra = settings.decorator() == null ? null
                : settings.decorator().metadata("request", Integer.toHexString(opcode));
        call.metadata = extra;
        if (ctx.executor().inEventLoop()) {
            sendCall(call, opcode, payload, millis, extra); // pipelined callers on the loop: no task object
        } else if (!onLoop(() -> sendCall(call, opcode, payload, millis, extra))) {
            payload.release();
            call.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "connection closed"));
        }
        return call;
    }

    private void sendCall(PendingCall call, int opcode, Payload payload, long timeoutMillis, Map<Integer, String> extra) {
        try {
            if (call.isDone()) {
                return;
            }
            McpException refused = refuseCall(opcode, payload, extra);
            if (refused != null) {
                call.completeExceptionally(refused);
                return;
            }
            long id = allocateStreamId();
            call.streamId = id;
            call.opcode = opcode;
            outbound.put(id, call);
            if (timeoutMillis > 0) {
                call.deadline = settings.timer().newTimeout(t -> onLoop(() -> expireCall(call)),
                        timeoutMillis, TimeUnit.MILLISECONDS);
            }
            if (observing) {
                call.sentNanos = settings.ticker().nanoTime();
            }
            write(frames.request(id, opcode, payload, timeoutMillis, extra));
        } catch (RuntimeException e) {
            outbound.remove(call.streamId);
            call.completeExceptionally(e);
        } finally {
            payload.release();
        }
    }

    private McpException refuseCall(int opcode, Payload payload, Map<Integer, String> extra) {
        if (state != ConnectionState.ESTABLISHED || peerGoaway) {
            return new McpException(ErrorCode.UNAVAILABLE, "connection is " + (peerGoaway ? "going away" : state));
        }
        if (opcode < 0 || opcode > 0xFFFF) {
            return new McpException(ErrorCode.PROTOCOL_ERROR, "opcode must be 0-65535: " + opcode);
        }
        if (outbound.size() >= peerMaxConcurrentRequests) {
            return new McpException(ErrorCode.OVERLOADED, "peer accepts " + peerMaxConcurrentRequests
                    + " requests in flight");
        }
        if (payload.size() > 0 && !peerAccepts(payload.codec())) {
            return new McpException(ErrorCode.UNSUPPORTED_CODEC, "peer did not announce codec " + payload.codec());
        }
        long frameSize = FrameHeader.OVERHEAD + Metadata.U32_ENTRY + (long) payload.size(); // with TIMEOUT_MS
        if (extra != null) {
            for (String value : extra.values()) {
                frameSize += Metadata.utf8EntrySize(value); // the decorator's entries (e.g. TRACEPARENT)
            }
        }
        if (frameSize > peerMaxFrame) {
            return new McpException(ErrorCode.FRAME_TOO_LARGE, "request of " + payload.size()
                    + " bytes (a frame of " + frameSize + ") exceeds the peer's MAX_FRAME " + peerMaxFrame);
        }
        return null;
    }

    /** Whether the peer announced {@code codec} in CODECS. */
    protected final boolean peerAccepts(int codec) {
        for (byte c : peerCodecs) {
            if ((c & 0xFF) == codec) {
                return true;
            }
        }
        return false;
    }

    private long allocateStreamId() {
        for (long tries = 0; tries < 1_000_000; tries++) {
            long id = nextStreamId;
            nextStreamId += 2;
            if (nextStreamId > FrameHeader.MAX_STREAM_ID) {
                nextStreamId -= FrameHeader.MAX_STREAM_ID - 1; // wrap, keeping the parity
            }
            if (!outbound.containsKey(id)) {
                return id;
            }
        }
        throw new McpException(ErrorCode.OVERLOADED, "no free stream id");
    }

    private void expireCall(PendingCall call) {
        if (outbound.remove(call.streamId) == call) {
            observeCall(call, ErrorCode.DEADLINE_EXCEEDED.code());
            call.completeExceptionally(new McpException(ErrorCode.DEADLINE_EXCEEDED,
                    String.format("no answer to opcode 0x%04x within the deadline", call.opcode)));
            maybeFinishDrain();
        }
    }

    /** The caller cancelled {@code call}'s future: tell the peer. */
    void cancelCall(PendingCall call) {
        onLoop(() -> {
            if (call.streamId != 0 && outbound.remove(call.streamId) == call) {
                if (call.deadline != null) {
                    call.deadline.cancel();
                }
                if (state != ConnectionState.CLOSED) {
                    write(frames.cancel(call.streamId));
                }
                maybeFinishDrain();
            }
        });
    }

    private void onResponse(ByteBuf frame) {
        PendingCall call = outbound.remove(FrameHeader.streamId(frame));
        if (call == null) {
            return; // answer to a call that was cancelled or expired
        }
        if (call.deadline != null) {
            call.deadline.cancel();
        }
        observeCall(call, 0);
        Payload payload = Payload.of(FrameHeader.codec(frame), FrameHeader.retainedPayload(frame));
        if (!call.complete(payload)) {
            payload.release();
        }
        maybeFinishDrain();
    }

    private void onErrorReply(ByteBuf frame) {
        PendingCall call = outbound.remove(FrameHeader.streamId(frame));
        if (call == null) {
            return;
        }
        if (call.deadline != null) {
            call.deadline.cancel();
        }
        McpException e = errorOf(frame);
        observeCall(call, e.code());
        call.completeExceptionally(e);
        maybeFinishDrain();
    }

    private void failCall(PendingCall call, McpException e) {
        if (call.deadline != null) {
            call.deadline.cancel();
        }
        if (call.sentNanos != 0) {
            observeCall(call, e.code());
        }
        call.completeExceptionally(e);
    }

    private void observeCall(PendingCall call, int code) {
        if (!observing) {
            return;
        }
        settings.observer().callCompleted(this, call.opcode, settings.ticker().nanoTime() - call.sentNanos, code);
    }

    /** The McpException an ERROR, GOAWAY or NACK frame describes. */
    protected static McpException errorOf(ByteBuf frame) {
        int code = (int) Metadata.number(frame, MetadataKey.ERROR_CODE, ErrorCode.INTERNAL.code());
        String message = Metadata.string(frame, MetadataKey.ERROR_MESSAGE);
        return new McpException(code, message == null ? "" : message, null);
    }

    private void onPeerConnectionError(ByteBuf frame) {
        McpException e = errorOf(frame);
        log.warn("{}: peer closed the connection with {}", this, e.getMessage());
        for (PendingCall call : new ArrayList<>(outbound.values())) {
            failCall(call, e);
        }
        outbound.clear();
        errorSent = true;
        closeCode = e.code();
        ctx.close();
    }

    @Override
    public CompletableFuture<Void> notify(int opcode, Payload payload) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (ctx == null) {
            payload.release();
            done.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "not connected"));
            return done;
        }
        Map<Integer, String> extra = settings.decorator() == null ? null
                : settings.decorator().metadata("notify", Integer.toHexString(opcode));
        boolean queued = onLoop(() -> {
            try {
                McpException refused = refuseCall(opcode, payload, extra);
                if (refused != null) {
                    done.completeExceptionally(refused);
                    return;
                }
                writeActivity = true;
                ByteBuf frame = frames.notify(opcode, payload, extra);
                settings.observer().frameWritten(FrameType.NOTIFY, frame.readableBytes());
                writeBatch();
                ctx.writeAndFlush(frame).addListener(f -> {
                    if (f.isSuccess()) {
                        done.complete(null);
                    } else {
                        done.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "write failed", f.cause()));
                    }
                });
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            } finally {
                payload.release();
            }
        });
        if (!queued) {
            payload.release();
            done.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "connection closed"));
        }
        return done;
    }

    // ---------------------------------------------------------------- ping

    @Override
    public CompletableFuture<Duration> ping() {
        CompletableFuture<Duration> result = new CompletableFuture<>();
        if (ctx == null) {
            result.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "not connected"));
            return result;
        }
        boolean queued = onLoop(() -> {
            if (state != ConnectionState.ESTABLISHED && state != ConnectionState.CLOSING) {
                result.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "connection is " + state));
                return;
            }
            long stamp = settings.ticker().nanoTime();
            while (pings.containsKey(stamp)) {
                stamp++;
            }
            pings.put(stamp, result);
            write(frames.ping(stamp));
        });
        if (!queued) {
            result.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "connection closed"));
        }
        return result;
    }

    private void onPong(ByteBuf frame) {
        if (FrameHeader.payloadLength(frame) != 8) {
            return;
        }
        long stamp = FrameHeader.payload(frame).getLong(0);
        long rtt = settings.ticker().nanoTime() - stamp;
        CompletableFuture<Duration> waiter = pings.remove(stamp);
        if (rtt < 0 || rtt > TimeUnit.HOURS.toNanos(1)) {
            return; // not one of our timestamps
        }
        Duration sample = Duration.ofNanos(rtt);
        Duration srtt = smoothedRtt;
        smoothedRtt = srtt == null ? sample : srtt.multipliedBy(7).plus(sample).dividedBy(8);
        if (waiter != null) {
            waiter.complete(sample);
        }
    }

    @Override
    public Duration lastRoundTrip() {
        return smoothedRtt;
    }

    // ---------------------------------------------------------------- GOAWAY

    /**
     * Starts a graceful close: GOAWAY with {@code code}, then finish the requests accepted so far
     * (up to the drain timeout) and close. Thread-safe; completes when the channel has closed.
     */
    public CompletableFuture<Void> goAway(ErrorCode code, String message) {
        if (ctx == null) {
            return CompletableFuture.completedFuture(null);
        }
        onLoop(() -> {
            ConnectionState s = state;
            if (s == ConnectionState.CLOSED || goawaySent) {
                return;
            }
            if (s != ConnectionState.ESTABLISHED && s != ConnectionState.CLOSING) {
                moveTo(ConnectionState.CLOSING);
                ctx.close();
                return;
            }
            goawaySent = true;
            goawayLastStreamId = highestInboundId;
            if (s == ConnectionState.ESTABLISHED) {
                moveTo(ConnectionState.CLOSING);
            }
            write(frames.goaway(code, message, goawayLastStreamId));
            settings.timer().newTimeout(t -> onLoop(this::drainTimedOut),
                    settings.drainTimeoutMillis(), TimeUnit.MILLISECONDS);
            maybeFinishDrain();
        });
        return closeFuture;
    }

    private void drainTimedOut() {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        log.warn("{}: drain timed out with {} inbound and {} outbound requests in flight",
                this, inbound.size(), outbound.size());
        for (InboundRequest request : new ArrayList<>(inbound.values())) {
            expireAsUnavailable(request);
        }
        // Not "close once flushed": a peer that does not read would never let the flush finish.
        writeBatch();
        ctx.flush();
        ctx.close();
    }

    private void expireAsUnavailable(InboundRequest request) {
        request.answered = true;
        request.markCancelled();
        inbound.remove(request.streamId());
        write(frames.error(request.streamId(), request.opcode(), ErrorCode.UNAVAILABLE.code(), "shutting down"));
        request.releaseIfFinished();
    }

    private void maybeFinishDrain() {
        if ((goawaySent || inputShutdown) && inbound.isEmpty() && outbound.isEmpty()
                && state == ConnectionState.CLOSING) {
            writeBatch();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void onGoaway(ByteBuf frame) {
        McpException e = errorOf(frame);
        long last = Metadata.number(frame, MetadataKey.LAST_STREAM_ID, FrameHeader.MAX_STREAM_ID);
        peerGoaway = true;
        if (state == ConnectionState.ESTABLISHED) {
            moveTo(ConnectionState.CLOSING);
        }
        List<PendingCall> unprocessed = new ArrayList<>();
        for (PendingCall call : outbound.values()) {
            if (call.streamId > last) {
                unprocessed.add(call);
            }
        }
        McpException notProcessed = new McpException(ErrorCode.UNAVAILABLE,
                "peer is going away and did not process this request (safe to retry)");
        for (PendingCall call : unprocessed) {
            outbound.remove(call.streamId);
            failCall(call, notProcessed);
        }
        if (e.code() == ErrorCode.NO_ERROR.code()) {
            log.debug("{}: peer sent GOAWAY {} (last stream {})", this, e.getMessage(), last);
        } else {
            log.info("{}: peer sent GOAWAY {} (last stream {})", this, e.getMessage(), last);
        }
        onPeerGoaway(e.code(), e.detail(), last);
    }

    // ---------------------------------------------------------------- Connection

    @Override
    public String sessionId() {
        return ByteBufUtil.hexDump(sessionId);
    }

    @Override
    public SocketAddress remoteAddress() {
        return ctx == null ? null : ctx.channel().remoteAddress();
    }

    @Override
    public boolean isActive() {
        return state == ConnectionState.ESTABLISHED && !peerGoaway;
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    /** Closes the channel at once (no GOAWAY). */
    public void closeNow() {
        if (ctx != null) {
            ctx.close();
        }
    }

    /** The number of inbound requests in flight. Event loop only; for tests and metrics. */
    int inboundInFlight() {
        return inbound.size();
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (ctx == null ? "unbound" : ctx.channel().remoteAddress())
                + (sessionId.length == 0 ? "" : " session=" + sessionId().substring(0, 8)) + "]";
    }
}
