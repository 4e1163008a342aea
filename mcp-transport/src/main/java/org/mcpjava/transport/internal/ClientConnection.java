package org.mcpjava.transport.internal;

import io.netty.buffer.ByteBuf;
import org.mcpjava.core.McpException;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameHeader;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.Metadata;
import org.mcpjava.wire.MetadataKey;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client side of a connection: sends HELLO as soon as the channel is active and completes
 * {@link #established()} when WELCOME arrives. Client-initiated stream ids are odd, so the
 * server's are even.
 */
public final class ClientConnection extends McpConnection {
    /** The client's pub/sub engine, plugged in before connecting. */
    public interface PubSub {
        /** SESSION_ID to resume, or {@code null}. */
        byte[] resumeSessionId();

        /** SESSION_EXPIRY_S to ask for. */
        long sessionExpirySeconds();

        /** WELCOME arrived (on the event loop, before the handshake future completes). */
        void onEstablished(ClientConnection connection, byte[] sessionId, boolean sessionPresent);

        /** A pub/sub frame from the server (on the event loop). Do not release it. */
        void onFrame(FrameType type, ByteBuf frame);

        /** The connection closed (on the event loop). */
        void onClosed();
    }

    /** Told, on the event loop, that the server sent GOAWAY. */
    @FunctionalInterface
    public interface GoawayHook {
        /** GOAWAY's ERROR_CODE, ERROR_MESSAGE (or {@code null}) and LAST_STREAM_ID. */
        void goaway(int code, String message, long lastStreamId);
    }

    private final CompletableFuture<ClientConnection> handshake = new CompletableFuture<>();
    private volatile PubSub pubSub;
    private final GoawayHook onGoaway;
    private volatile String serverName;
    private volatile boolean sessionPresent;

    /** @param onGoaway called on the event loop when the server sends GOAWAY, or {@code null} */
    public ClientConnection(EngineSettings settings, GoawayHook onGoaway) {
        super(settings, true);
        this.onGoaway = onGoaway;
    }

    /** Plugs in the pub/sub engine; call before the channel connects. */
    public void pubSub(PubSub pubSub) {
        this.pubSub = pubSub;
    }

    /** Writes and flushes a frame on the event loop (hopping onto it if needed). */
    public void send(ByteBuf frame) {
        onLoop(() -> write(frame));
    }

    /** Writes and flushes a frame; completes when it was written to the socket (or failed). Event loop only. */
    public CompletableFuture<Void> sendAndNotify(ByteBuf frame) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        writeBatch();
        ctx.writeAndFlush(frame).addListener(f -> {
            if (f.isSuccess()) {
                written.complete(null);
            } else {
                written.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "write failed", f.cause()));
            }
        });
        return written;
    }

    /** Writes a frame without flushing; event loop only. */
    public void sendNoFlush(ByteBuf frame) {
        writeBatch();
        ctx.write(frame, ctx.voidPromise());
    }

    /** Flushes; event loop only. */
    public void flush() {
        writeBatch();
        ctx.flush();
    }

    /** Runs {@code task} on the connection's event loop. */
    public void runOnLoop(Runnable task) {
        onLoop(task);
    }

    /** The buffer allocator. */
    public io.netty.buffer.ByteBufAllocator allocator() {
        return ctx.alloc();
    }

    /** The outbound decorator (tracing), or {@code null}. */
    public org.mcpjava.core.OutboundDecorator decorator() {
        return settings.decorator();
    }

    /** The server's RECEIVE_WINDOW. */
    public int peerReceiveWindow() {
        return peerReceiveWindow;
    }

    /** The timer wheel (for retries). */
    public io.netty.util.Timer timer() {
        return settings.timer();
    }

    /** Whether the channel is open. */
    public boolean isOpen() {
        return ctx != null && ctx.channel().isActive();
    }

    /** Completes when WELCOME arrived, or fails with the server's error or UNAVAILABLE. */
    public CompletableFuture<ClientConnection> handshakeFuture() {
        return handshake;
    }

    /** The server's SERVER_NAME. */
    public String serverName() {
        return serverName;
    }

    /** Whether the server resumed an existing session. */
    public boolean sessionPresent() {
        return sessionPresent;
    }

    @Override
    protected void onActive() {
        moveTo(ConnectionState.HANDSHAKING);
        FrameWriter w = frames.begin(0, FrameType.HELLO, 0, 0, 0, 0);
        if (settings.name() != null && !settings.name().isEmpty()) {
            w.utf8(MetadataKey.CLIENT_ID, settings.name());
        }
        if (settings.credentials() != null) {
            w.bytes(MetadataKey.AUTH.wire(), settings.credentials());
        }
        PubSub ps = pubSub;
        if (ps != null) {
            if (ps.resumeSessionId() != null) {
                w.bytes(MetadataKey.SESSION_ID.wire(), ps.resumeSessionId());
            }
            if (ps.sessionExpirySeconds() > 0) {
                w.u32(MetadataKey.SESSION_EXPIRY_S, ps.sessionExpirySeconds());
            }
        }
        write(w.u32(MetadataKey.KEEPALIVE_MS, settings.keepaliveMillis())
                .u32(MetadataKey.MAX_FRAME, settings.maxFrame())
                .u16(MetadataKey.RECEIVE_WINDOW, settings.receiveWindow())
                .bytes(MetadataKey.CODECS.wire(), settings.codecs().ids())
                .u32(MetadataKey.MAX_CONCURRENT_REQUESTS, settings.maxConcurrentRequests())
                .finish());
    }

    @Override
    protected boolean isPeerStreamId(long streamId) {
        return (streamId & 1) == 0;
    }

    @Override
    protected void onHandshakeFrame(FrameType type, ByteBuf frame) {
        if (type == FrameType.ERROR && FrameHeader.streamId(frame) == 0) {
            McpException refused = errorOf(frame);
            handshake.completeExceptionally(refused);
            closeNow();
            return;
        }
        if (type != FrameType.WELCOME || state() != ConnectionState.HANDSHAKING) {
            throw new McpException(ErrorCode.PROTOCOL_ERROR, type + " before WELCOME");
        }
        HelloParameters welcome = HelloParameters.read(frame);
        peerMaxFrame = welcome.maxFrame();
        peerReceiveWindow = welcome.receiveWindow();
        peerMaxConcurrentRequests = welcome.maxConcurrentRequests();
        peerCodecs = welcome.codecs();
        keepaliveNanos = TimeUnit.MILLISECONDS.toNanos(welcome.keepaliveMillis());
        if (welcome.sessionId() != null) {
            sessionId = welcome.sessionId();
        }
        serverName = Metadata.string(frame, MetadataKey.SERVER_NAME);
        sessionPresent = Metadata.number(frame, MetadataKey.SESSION_PRESENT, 0) == 1;
        established();
        PubSub ps = pubSub;
        if (ps != null) {
            ps.onEstablished(this, sessionId, sessionPresent);
        }
        handshake.complete(this);
    }

    @Override
    protected void onPeerGoaway(int code, String message, long lastStreamId) {
        if (onGoaway != null) {
            onGoaway.goaway(code, message, lastStreamId);
        }
    }

    @Override
    protected void onPubSub(FrameType type, ByteBuf frame) {
        PubSub ps = pubSub;
        if (ps == null) {
            super.onPubSub(type, frame);
        } else {
            ps.onFrame(type, frame);
        }
    }

    @Override
    protected void onClosed() {
        PubSub ps = pubSub;
        if (ps != null) {
            ps.onClosed();
        }
        Throwable why = transportFailure;
        Throwable root = why;
        while (root != null && root.getCause() != null) {
            root = root.getCause(); // e.g. the certificate problem under "General OpenSslEngine problem"
        }
        handshake.completeExceptionally(new McpException(ErrorCode.UNAVAILABLE, "connection closed during the handshake"
                + (root == null ? "" : ": " + root.getMessage()), why));
    }

    /** The largest frame the server accepts. */
    public int peerMaxFrame() {
        return peerMaxFrame;
    }

    /** The codec ids the server accepts, preferred first. */
    public byte[] peerCodecs() {
        return peerCodecs.clone();
    }
}
