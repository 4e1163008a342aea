package org.mcpjava.transport.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.MetadataKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One channel's admission by a {@link ConnectionLimiter}, asked when the channel becomes active
 * (that is, at accept time, also on a TLS server). An admitted channel passes every event on
 * untouched. A refused one is hidden from the handlers after this one (they never see it become
 * active, only close; its inbound data, events and errors stop here), and it gets ERROR on stream 0
 * and is closed. Behind TLS the ERROR waits for the TLS handshake (a plaintext frame in the middle
 * of it would reach the client as a TLS failure), and a handshake that fails or times out just
 * closes the channel.
 *
 * <p>Not sharable: one per channel, used on its event loop only.
 */
final class AdmissionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdmissionHandler.class);

    private final ConnectionLimiter limiter;
    private final boolean afterTls;
    private InetAddress address;
    private boolean admitted;
    private boolean refusalCounted;
    /** Set from the refusal until the channel closes; the channel is then hidden from later handlers. */
    private ConnectionLimiter.Refusal refusal;

    AdmissionHandler(ConnectionLimiter limiter, boolean afterTls) {
        this.limiter = limiter;
        this.afterTls = afterTls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        address = ctx.channel().remoteAddress() instanceof InetSocketAddress
                ? ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress() : null;
        refusal = limiter.admit(address);
        if (refusal == null) {
            admitted = true;
            ctx.fireChannelActive();
            return;
        }
        log.warn("refusing connection from {}: {}", ctx.channel().remoteAddress(), refusal.message());
        refusalCounted = limiter.startRefusal();
        if (!refusalCounted) {
            log.debug("{}: too many refusals in progress, closing without an answer", ctx.channel());
            ctx.close();
        } else if (!afterTls) {
            sendRefusal(ctx);
        }
        // Behind TLS: autoRead stays on so that the handshake can proceed; see userEventTriggered.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (refusal == null) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent && refusalCounted && ctx.channel().isActive()) {
            if (((SslHandshakeCompletionEvent) evt).isSuccess()) {
                sendRefusal(ctx);
            } else {
                ctx.close(); // the TLS handler closes too; nothing can be said to this peer
            }
        } else if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close(); // half-closed before it could be told: no handshake will finish
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refusal == null) {
            ctx.fireChannelRead(msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (refusal == null) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (refusal == null) {
            ctx.fireExceptionCaught(cause);
        } else {
            log.debug("{}: error while refusing: {}", ctx.channel(), cause.toString());
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (admitted) {
            admitted = false;
            limiter.leave(address);
        }
        if (refusalCounted) {
            refusalCounted = false;
            limiter.endRefusal();
        }
        ctx.fireChannelInactive();
    }

    private void sendRefusal(ChannelHandlerContext ctx) {
        ByteBuf frame = new FrameWriter().begin(ctx.alloc(), 0, FrameType.ERROR, 0, 0, 0, 0)
                .u16(MetadataKey.ERROR_CODE, refusal.code().code())
                .utf8(MetadataKey.ERROR_MESSAGE, refusal.message())
                .finish();
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }
}
