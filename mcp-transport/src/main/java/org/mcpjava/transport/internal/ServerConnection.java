package org.mcpjava.transport.internal;

import io.netty.buffer.ByteBuf;
import org.mcpjava.broker.Broker;
import org.mcpjava.broker.Session;
import org.mcpjava.core.McpException;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.Metadata;
import org.mcpjava.wire.MetadataKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The server side of a connection: waits for HELLO within the handshake timeout, authenticates,
 * negotiates limits and answers WELCOME. Client-initiated stream ids are odd.
 */
public final class ServerConnection extends McpConnection {
    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Consumer<ServerConnection> onEstablished;
    private final Consumer<ServerConnection> onClose;
    private final Broker broker;
    private BrokerBinding binding;
    private volatile String clientId;
    private volatile String principal;

    /**
     * @param onEstablished called on the event loop when the handshake completes
     * @param onClose called on the event loop when the connection closes
     */
    public ServerConnection(EngineSettings settings, Consumer<ServerConnection> onEstablished,
                            Consumer<ServerConnection> onClose) {
        this(settings, null, onEstablished, onClose);
    }

    /**
     * @param broker the pub/sub broker, or {@code null} to refuse publish/subscribe
     * @param onEstablished called on the event loop when the handshake completes
     * @param onClose called on the event loop when the connection closes
     */
    public ServerConnection(EngineSettings settings, Broker broker, Consumer<ServerConnection> onEstablished,
                            Consumer<ServerConnection> onClose) {
        super(settings, false);
        this.broker = broker;
        this.onEstablished = onEstablished;
        this.onClose = onClose;
    }

    /** The pub/sub session, or {@code null} without a broker or before the handshake. */
    public Session session() {
        return binding == null ? null : binding.session();
    }

    /** The CLIENT_ID the client sent, or {@code null}. */
    public String clientId() {
        return clientId;
    }

    /** The authenticated principal, or {@code null}. */
    public String principal() {
        return principal;
    }

    @Override
    protected void onActive() {
        // The client speaks first.
    }

    @Override
    protected boolean isPeerStreamId(long streamId) {
        return (streamId & 1) == 1;
    }

    @Override
    protected void onHandshakeFrame(FrameType type, ByteBuf frame) {
        if (type != FrameType.HELLO || state() != ConnectionState.NEW) {
            throw new McpException(ErrorCode.PROTOCOL_ERROR, type + " before the handshake completed (state "
                    + state() + "; the first frame must be HELLO, and nothing may follow it before WELCOME)");
        }
        moveTo(ConnectionState.HANDSHAKING);
        HelloParameters hello = HelloParameters.read(frame);
        clientId = Metadata.string(frame, MetadataKey.CLIENT_ID);
        byte[] auth = Metadata.bytes(frame, MetadataKey.AUTH.wire());
        CompletionStage<String> verdict;
        if (settings.authenticator() == null) {
            verdict = CompletableFuture.completedFuture(clientId);
        } else {
            try {
                verdict = settings.authenticator().authenticate(clientId, auth == null ? new byte[0] : auth,
                        ctx.channel().remoteAddress());
            } catch (RuntimeException e) {
                verdict = CompletableFuture.failedFuture(e);
            }
        }
        verdict.whenComplete((who, error) -> onLoop(() -> finishHandshake(hello, who, error)));
    }

    private void finishHandshake(HelloParameters hello, String who, Throwable error) {
        if (state() != ConnectionState.HANDSHAKING) {
            return; // closed meanwhile (timeout, peer gone)
        }
        if (error != null) {
            Throwable cause = unwrap(error);
            McpException mcp = McpException.find(cause);
            int code = mcp != null && mcp.code() != ErrorCode.INTERNAL.code() ? mcp.code() : ErrorCode.UNAUTHENTICATED.code();
            log.info("{}: authentication of client {} failed: {}", this, clientId, cause.getMessage());
            connectionError(code, "authentication failed");
            return;
        }
        principal = who;
        peerMaxFrame = hello.maxFrame();
        peerReceiveWindow = hello.receiveWindow();
        peerMaxConcurrentRequests = hello.maxConcurrentRequests();
        peerCodecs = hello.codecs();
        long ours = settings.keepaliveMillis();
        long theirs = hello.keepaliveMillis();
        long keepalive = ours == 0 ? theirs : theirs == 0 ? ours : Math.min(ours, theirs);
        keepaliveNanos = TimeUnit.MILLISECONDS.toNanos(keepalive);
        byte[] id;
        boolean present = false;
        long grantedExpiry = 0;
        if (broker != null) {
            binding = new BrokerBinding(broker, ctx, this, settings.receiveWindow(), peerMaxFrame,
                    System::currentTimeMillis);
            Broker.Attachment attachment;
            try {
                attachment = broker.attach(hello.sessionId(), hello.sessionExpirySeconds(), clientId,
                        who != null ? who : clientId, binding);
            } catch (McpException e) {
                connectionError(e.code(), e.detail());
                return;
            }
            binding.bind(attachment.session());
            id = attachment.session().id();
            present = attachment.present();
            grantedExpiry = attachment.session().expirySeconds();
        } else {
            id = new byte[16];
            RANDOM.nextBytes(id);
        }
        sessionId = id;
        write(frames.begin(0, FrameType.WELCOME, 0, 0, 0, 0)
                .bytes(MetadataKey.SESSION_ID.wire(), id)
                .u8(MetadataKey.SESSION_PRESENT, present ? 1 : 0)
                .u32(MetadataKey.SESSION_EXPIRY_S, grantedExpiry)
                .u32(MetadataKey.KEEPALIVE_MS, keepalive)
                .u32(MetadataKey.MAX_FRAME, settings.maxFrame())
                .u16(MetadataKey.RECEIVE_WINDOW, settings.receiveWindow())
                .bytes(MetadataKey.CODECS.wire(), settings.codecs().ids())
                .u32(MetadataKey.MAX_CONCURRENT_REQUESTS, settings.maxConcurrentRequests())
                .utf8(MetadataKey.SERVER_NAME, settings.name())
                .finish());
        established();
        log.debug("{}: established for client {} (keepalive {} ms, session present {})", this, clientId, keepalive, present);
        if (binding != null) {
            broker.resume(binding.session(), binding);
        }
        if (onEstablished != null) {
            onEstablished.accept(this);
        }
    }

    @Override
    protected void onPubSub(FrameType type, ByteBuf frame) {
        if (binding == null) {
            super.onPubSub(type, frame);
        } else {
            binding.onFrame(type, frame);
        }
    }

    @Override
    protected void onClosed() {
        if (binding != null) {
            binding.detach();
        }
        if (onClose != null) {
            onClose.accept(this);
        }
    }
}
