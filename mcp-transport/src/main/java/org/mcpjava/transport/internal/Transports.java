package org.mcpjava.transport.internal;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Chooses the socket transport: epoll where its native library loads, NIO otherwise. The system
 * property {@code mcp.transport=nio} forces NIO.
 */
public final class Transports {
    private static final boolean EPOLL = !"nio".equalsIgnoreCase(System.getProperty("mcp.transport"))
            && Epoll.isAvailable();

    private Transports() {
    }

    /** {@code epoll} or {@code nio}. */
    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }

    /** A new event loop group of {@code threads} threads (0 = Netty's default, 2 x cores). */
    public static EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    public static Class<? extends ServerChannel> serverChannelClass() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends Channel> channelClass() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
