package org.mcpjava.transport.internal;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelFutureListener;
import io.netty.buffer.ByteBuf;
import org.mcpjava.wire.ErrorCode;
import org.mcpjava.wire.FrameType;
import org.mcpjava.wire.FrameWriter;
import org.mcpjava.wire.MetadataKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps connections in total and per remote address. A connection over a cap gets ERROR on stream
 * 0 (OVERLOADED for the total, QUOTA_EXCEEDED per address) and is closed before it costs more.
 * Sharable: one instance counts for the whole server.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    public ConnectionLimiter(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** Open connections counted now. */
    public int open() {
        return total.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress address = address(ctx);
        int now = total.incrementAndGet();
        int fromAddress = address == null ? 0 : perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
        if (now > maxTotal) {
            refuse(ctx, ErrorCode.OVERLOADED, "server has its maximum of " + maxTotal + " connections");
        } else if (fromAddress > maxPerAddress) {
            refuse(ctx, ErrorCode.QUOTA_EXCEEDED, "address " + address.getHostAddress() + " has its maximum of "
                    + maxPerAddress + " connections");
        } else {
            ctx.fireChannelActive();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        total.decrementAndGet();
        InetAddress address = address(ctx);
        if (address != null) {
            perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
        ctx.fireChannelInactive();
    }

    private static void refuse(ChannelHandlerContext ctx, ErrorCode code, String message) {
        log.warn("refusing connection from {}: {}", ctx.channel().remoteAddress(), message);
        ByteBuf frame = new FrameWriter().begin(ctx.alloc(), 0, FrameType.ERROR, 0, 0, 0, 0)
                .u16(MetadataKey.ERROR_CODE, code.code())
                .utf8(MetadataKey.ERROR_MESSAGE, message)
                .finish();
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }

    private static InetAddress address(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress
                ? ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress() : null;
    }
}
